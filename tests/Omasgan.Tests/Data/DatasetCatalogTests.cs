using System.Diagnostics;
using Omasgan.Data;
using Xunit.Abstractions;

namespace Omasgan.Tests.Data;

public sealed class DatasetCatalogTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string? savedVariable = Environment.GetEnvironmentVariable(DatasetCatalog.DataVariable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(DatasetCatalog.DataVariable, savedVariable);
        folder.Dispose();
    }

    /// <summary>Writes an IDX split of <paramref name="labels"/> (28×28 images) into <paramref name="subfolder"/>.</summary>
    private void WriteIdx(string subfolder, string prefix, byte[] labels, bool gzip = false, int side = 28)
    {
        byte[] images = DataFiles.Idx([labels.Length, side, side], DataFiles.Pattern(labels.Length * side * side));
        byte[] labelFile = DataFiles.Idx([labels.Length], labels);
        string suffix = gzip ? ".gz" : "";
        folder.Write($"{subfolder}/{prefix}-images-idx3-ubyte{suffix}", gzip ? DataFiles.Gzip(images) : images);
        folder.Write($"{subfolder}/{prefix}-labels-idx1-ubyte{suffix}", gzip ? DataFiles.Gzip(labelFile) : labelFile);
    }

    private string Sub(string name) => Path.Combine(folder.Path, name);

    [Fact]
    public void Names_aliases_and_classes()
    {
        Assert.Equal(["mnist", "fashion-mnist", "kmnist", "cifar10", "svhn"], DatasetCatalog.Names);
        foreach (string name in DatasetCatalog.Names.Concat(["FASHIONMNIST", "Cifar-10", "MNIST"]))
        {
            Assert.Equal(10, DatasetCatalog.ClassCount(name));
            Assert.Equal(10, DatasetCatalog.ClassNames(name).Count);
        }
        Assert.Equal("Ankle boot", DatasetCatalog.ClassNames("fashionmnist")[9]);
        Assert.Equal("T-shirt/top", DatasetCatalog.ClassNames("fashion-mnist")[0]);
        Assert.Equal(["airplane", "truck"], new[] { DatasetCatalog.ClassNames("cifar-10")[0], DatasetCatalog.ClassNames("cifar10")[9] });
        Assert.Equal("0", DatasetCatalog.ClassNames("svhn")[0]);
        Assert.Equal("wo", DatasetCatalog.ClassNames("kmnist")[9]);
        Assert.Equal("dataset", Assert.Throws<InvalidOptionException>(() => DatasetCatalog.ClassCount("imagenet")).Option);
    }

    [Fact]
    public void Locate_takes_the_root_given_and_only_it()
    {
        WriteIdx("mnist", "t10k", [1, 2]);
        Assert.Equal(Sub("mnist"), DatasetCatalog.Locate("mnist", Sub("mnist")));
        var error = DataAssert.Fails(() => DatasetCatalog.Load("mnist", DataSplit.Train, Sub("mnist")), Sub("mnist"), "no MNIST train files");
        Assert.Contains($"looked in: {Sub("mnist")}.", error.Message);
        DataAssert.Fails(() => DatasetCatalog.Load("kmnist", DataSplit.Test, Sub("elsewhere")), Sub("elsewhere"), "t10k-images-idx3-ubyte[.gz]");
    }

    [Fact]
    public void Locate_looks_under_the_environment_variable()
    {
        WriteIdx("kmnist", "train", [0]);
        Environment.SetEnvironmentVariable(DatasetCatalog.DataVariable, folder.Path);
        Assert.Equal(Sub("kmnist"), DatasetCatalog.Locate("KMNIST"));
    }

    [Fact]
    public void Locate_names_every_place_tried_when_none_holds_the_files()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] places = [Path.Combine(DatasetCatalog.SystemFolder, "svhn"), Path.Combine(home, ".omasgan", "data", "svhn")];
        if (places.Any(Directory.Exists))
        {
            output.WriteLine($"Not run: this machine has SVHN in one of {string.Join(", ", places)}.");
            return;
        }
        Environment.SetEnvironmentVariable(DatasetCatalog.DataVariable, folder.Path);
        var error = Assert.Throws<DataFormatException>(() => DatasetCatalog.Locate("svhn"));
        Assert.Contains($"{Sub("svhn")} (from ${DatasetCatalog.DataVariable}; no such folder)", error.Message);
        Assert.All(places, p => Assert.Contains(p, error.Message));
        Assert.Contains("train_32x32.mat", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        Environment.SetEnvironmentVariable(DatasetCatalog.DataVariable, null);
        error = Assert.Throws<DataFormatException>(() => DatasetCatalog.Locate("svhn"));
        Assert.Contains($"${DatasetCatalog.DataVariable} not set", error.Message);
    }

    [Fact]
    public void Loads_each_format_from_a_root_folder()
    {
        WriteIdx("mnist", "train", [5, 0, 9], gzip: true);
        using (SampleSet mnist = DatasetCatalog.Load("mnist", DataSplit.Train, Sub("mnist")))
        {
            Assert.Equal([5, 0, 9], mnist.Labels);
            Assert.Equal([1L, 28, 28], mnist.SampleShape);
            Assert.Equal($"MNIST train ({Sub("mnist")})", mnist.Source);
        }

        for (int i = 1; i <= 5; i++)
            folder.Write($"cifar/cifar-10-batches-bin/data_batch_{i}.bin", DataFiles.Cifar((byte)i, (byte)(i + 4)));
        using (SampleSet cifar = DatasetCatalog.Load("cifar-10", DataSplit.Train, Sub("cifar")))
        {
            Assert.Equal([1, 5, 2, 6, 3, 7, 4, 8, 5, 9], cifar.Labels);
            Assert.Equal([3L, 32, 32], cifar.SampleShape);
        }

        folder.Write("svhn/test_32x32.mat", DataFiles.Svhn(10, 3).ToBytes(compressed: true));
        using (SampleSet svhn = DatasetCatalog.Load("svhn", DataSplit.Test, Sub("svhn")))
            Assert.Equal([0, 3], svhn.Labels);
    }

    [Fact]
    public void Load_refuses_labels_and_shapes_foreign_to_the_dataset()
    {
        WriteIdx("labels", "train", [1, 10]);
        DataAssert.Fails(() => DatasetCatalog.Load("fashion-mnist", DataSplit.Train, Sub("labels")),
            Path.Combine(Sub("labels"), "train-labels-idx1-ubyte"), "label 1 is 10");

        WriteIdx("shape", "train", [1, 2], side: 8);
        DataAssert.Fails(() => DatasetCatalog.Load("mnist", DataSplit.Train, Sub("shape")),
            Path.Combine(Sub("shape"), "train-images-idx3-ubyte"), "[1, 8, 8]");
    }

    [Fact]
    public void Reads_debians_fashion_mnist_when_installed()
    {
        string system = Path.Combine(DatasetCatalog.SystemFolder, "fashion-mnist");
        if (!Directory.Exists(system))
        {
            output.WriteLine($"Not run: {system} is absent (Debian package dataset-fashion-mnist).");
            return;
        }
        Environment.SetEnvironmentVariable(DatasetCatalog.DataVariable, null);
        var clock = Stopwatch.StartNew();
        using SampleSet train = DatasetCatalog.Load("fashion-mnist", DataSplit.Train);
        output.WriteLine($"{train.Source}: {train.Count} images read in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(60000, train.Count);
        Assert.Equal([1L, 28, 28], train.SampleShape);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, train.Labels.Count(l => l == c)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"reading took {clock.Elapsed}");

        using SampleSet sandals = train.Where(l => l == 5);
        Assert.Equal(6000, sandals.Count);
        Assert.All(sandals.Labels, l => Assert.Equal(5, l));
    }
}
