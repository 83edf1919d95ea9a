namespace Omasgan.Data;

/// <summary>Which part of a built-in dataset to read.</summary>
public enum DataSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images.</summary>
    Test,
}

/// <summary>
/// The built-in datasets by name: "mnist", "fashion-mnist", "kmnist", "cifar10" and "svhn" (ignoring
/// case; "fashionmnist" and "cifar-10" are accepted too), where their files are found, and reading them.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The environment variable naming a folder holding one subfolder per dataset.</summary>
    public const string DataVariable = "OMASGAN_DATA";

    /// <summary>The system folder of dataset packages (Debian's dataset-fashion-mnist installs into it).</summary>
    public const string SystemFolder = "/usr/share/datasets";

    private enum Format { Idx, Cifar10, Svhn }

    private sealed record Dataset(string Name, string DisplayName, Format Format, long[] SampleShape, string[] ClassNames);

    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static readonly Dataset[] Datasets =
    [
        new("mnist", "MNIST", Format.Idx, [1, 28, 28], Digits),
        new("fashion-mnist", "Fashion-MNIST", Format.Idx, [1, 28, 28],
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]),
        new("kmnist", "KMNIST", Format.Idx, [1, 28, 28], ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]),
        new("cifar10", "CIFAR-10", Format.Cifar10, [3, 32, 32],
            ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]),
        new("svhn", "SVHN", Format.Svhn, [3, 32, 32], Digits),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fashionmnist"] = "fashion-mnist",
        ["cifar-10"] = "cifar10",
    };

    /// <summary>The subfolder the CIFAR-10 archive unpacks to; its files are looked for there too.</summary>
    private const string CifarSubfolder = "cifar-10-batches-bin";

    /// <summary>The canonical names: mnist, fashion-mnist, kmnist, cifar10, svhn.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(Datasets.Select(d => d.Name).ToArray());

    /// <summary>The number of classes of dataset <paramref name="name"/> (10 for all five).</summary>
    /// <exception cref="InvalidOptionException">an unknown name.</exception>
    public static int ClassCount(string name) => Find(name).ClassNames.Length;

    /// <summary>
    /// The class names, for reports: Fashion-MNIST's garments, KMNIST's romanised characters
    /// (o, ki, su, tsu, na, ha, ma, ya, re, wo), CIFAR-10's airplane..truck, "0".."9" for MNIST and SVHN.
    /// </summary>
    /// <exception cref="InvalidOptionException">an unknown name.</exception>
    public static IReadOnlyList<string> ClassNames(string name) => Array.AsReadOnly(Find(name).ClassNames);

    /// <summary>
    /// The folder the dataset's files are read from: <paramref name="root"/> if given; else the first
    /// of $OMASGAN_DATA/&lt;name&gt; (when the variable is set), /usr/share/datasets/&lt;name&gt; and
    /// ~/.omasgan/data/&lt;name&gt; that holds the files of either split.
    /// </summary>
    /// <exception cref="InvalidOptionException">an unknown name.</exception>
    /// <exception cref="DataFormatException">no such folder holds the files; the message names every place tried.</exception>
    public static string Locate(string name, string? root = null) => Locate(Find(name), root, null);

    /// <summary>
    /// Reads a split of a built-in dataset from <see cref="Locate"/>'s folder. File names: for the IDX
    /// datasets train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
    /// t10k-labels-idx1-ubyte, each plain or with .gz; for CIFAR-10 data_batch_1.bin..data_batch_5.bin
    /// and test_batch.bin, in the folder or its cifar-10-batches-bin/ subfolder; for SVHN
    /// train_32x32.mat and test_32x32.mat. Checks that labels are 0..9 and the image shape is the dataset's.
    /// </summary>
    /// <exception cref="InvalidOptionException">an unknown name or split.</exception>
    /// <exception cref="DataFormatException">the files are not found or not valid.</exception>
    public static SampleSet Load(string name, DataSplit split, string? root = null)
    {
        Dataset dataset = Find(name);
        OptionChecks.Defined(split, "split");
        string folder = Locate(dataset, root, split);
        string[] files = Files(dataset, split, folder)!;
        SampleSet read = dataset.Format switch
        {
            Format.Idx => IdxReader.Read(files[0], files[1]),
            Format.Cifar10 => Cifar10Reader.Read(files),
            _ => SvhnReader.Read(files[0]),
        };
        try
        {
            Check(dataset, read, files);
            return new SampleSet(read.Samples, read.Labels, $"{dataset.DisplayName} {split.ToString().ToLowerInvariant()} ({folder})");
        }
        catch
        {
            read.Dispose();
            throw;
        }
    }

    private static void Check(Dataset dataset, SampleSet read, string[] files)
    {
        if (!read.SampleShape.SequenceEqual(dataset.SampleShape))
            throw new DataFormatException(files[0], $"holds images of shape [{string.Join(", ", read.SampleShape)}]; {dataset.DisplayName}'s are [{string.Join(", ", dataset.SampleShape)}].");
        int classes = dataset.ClassNames.Length;
        int bad = Array.FindIndex(read.Labels, l => l < 0 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException(files[^1], $"label {bad} is {read.Labels[bad]}; {dataset.DisplayName}'s labels are 0..{classes - 1}.");
    }

    private static Dataset Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string canonical = Aliases.GetValueOrDefault(name, name);
        return Datasets.FirstOrDefault(d => d.Name.Equals(canonical, StringComparison.OrdinalIgnoreCase))
               ?? throw new InvalidOptionException("dataset", $"unknown dataset '{name}'; known: {string.Join(", ", Datasets.Select(d => d.Name))}.");
    }

    /// <summary>The first folder that holds the files of <paramref name="split"/> (of either split when null).</summary>
    private static string Locate(Dataset dataset, string? root, DataSplit? split)
    {
        var tried = new List<string>();
        var looked = new List<string>();
        foreach (string folder in Candidates(dataset, root, tried))
        {
            bool holds = split is { } s ? Files(dataset, s, folder) is not null
                : Files(dataset, DataSplit.Train, folder) is not null || Files(dataset, DataSplit.Test, folder) is not null;
            if (holds)
                return folder;
            tried.Add(folder);
            looked.Add(folder);
        }
        string what = split is { } part ? $"{dataset.DisplayName} {part.ToString().ToLowerInvariant()} files" : $"{dataset.DisplayName} files";
        throw new DataFormatException(looked[0], $"no {what} ({string.Join(", ", ExpectedNames(dataset, split))}) found; looked in: {string.Join("; ", tried)}.");
    }

    /// <summary>The folders to look in, in order; places passed over are noted in <paramref name="tried"/>.</summary>
    private static IEnumerable<string> Candidates(Dataset dataset, string? root, List<string> tried)
    {
        if (root is not null)
        {
            yield return root;
            yield break;
        }
        string? variable = Environment.GetEnvironmentVariable(DataVariable);
        string? fromVariable = string.IsNullOrEmpty(variable) ? null : Path.Combine(variable, dataset.Name);
        if (fromVariable is null)
            tried.Add($"${DataVariable}/{dataset.Name} (${DataVariable} not set)");
        else if (Directory.Exists(fromVariable))
            yield return fromVariable;
        else
            tried.Add($"{fromVariable} (from ${DataVariable}; no such folder)");
        yield return Path.Combine(SystemFolder, dataset.Name);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
            yield return Path.Combine(home, ".omasgan", "data", dataset.Name);
    }

    /// <summary>The files of <paramref name="split"/> in <paramref name="folder"/>, or null when one is missing.</summary>
    private static string[]? Files(Dataset dataset, DataSplit split, string folder)
    {
        string[] names = FileNames(dataset, split);
        if (dataset.Format == Format.Cifar10)
            return new[] { folder, Path.Combine(folder, CifarSubfolder) }
                .Select(dir => names.Select(n => Path.Combine(dir, n)).ToArray())
                .FirstOrDefault(paths => paths.All(File.Exists));
        var found = new string[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string plain = Path.Combine(folder, names[i]);
            string? path = dataset.Format == Format.Idx
                ? new[] { plain, plain + ".gz" }.FirstOrDefault(File.Exists)
                : File.Exists(plain) ? plain : null;
            if (path is null)
                return null;
            found[i] = path;
        }
        return found;
    }

    private static string[] FileNames(Dataset dataset, DataSplit split)
    {
        bool train = split == DataSplit.Train;
        return dataset.Format switch
        {
            Format.Idx => train ? ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] : ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
            Format.Cifar10 => train ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray() : ["test_batch.bin"],
            _ => [train ? "train_32x32.mat" : "test_32x32.mat"],
        };
    }

    private static IEnumerable<string> ExpectedNames(Dataset dataset, DataSplit? split)
    {
        IEnumerable<string> names = split is { } s ? FileNames(dataset, s) : FileNames(dataset, DataSplit.Train).Concat(FileNames(dataset, DataSplit.Test));
        return dataset.Format switch
        {
            Format.Idx => names.Select(n => n + "[.gz]"),
            Format.Cifar10 => names.Append($"optionally in {CifarSubfolder}/"),
            _ => names,
        };
    }
}
