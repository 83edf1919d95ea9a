using Omasgan.Data;

namespace Omasgan.Experiments.Loo;

/// <summary>One fold's data: the normal training samples, the samples tested, and which of those are anomalous.</summary>
public sealed record LooFoldData(SampleSet Normal, SampleSet Test, bool[] Anomalous) : IDisposable
{
    public void Dispose()
    {
        Normal.Dispose();
        Test.Dispose();
    }
}

/// <summary>
/// The leave-one-out protocol's folds: for each class k and seed, the normal training samples of the
/// other classes and the samples tested with class k anomalous.
/// <list type="bullet">
/// <item>Images: the training split of the other classes; tested is the whole test split, or for
/// validation the held-out part of the training split (the test split is then not read).</item>
/// <item>Tables (<see cref="LooOptions.Table"/>): each class's rows are split, seeded by the fold's seed,
/// into a training part (<see cref="TableSource.TrainFraction"/>) and a test part. Normal training rows:
/// the training part of the other classes; tested: the test part of the other classes and every row of
/// class k (no detector fits on them). For validation the same is done inside the training part (the last
/// <see cref="ValidationFraction"/> of each class's training part is held out) and the test part is not read.</item>
/// </list>
/// </summary>
public sealed class LooProtocol : IDisposable
{
    /// <summary>The share of each class of the training split that validation holds out (Fashion-MNIST: 1,000 of 6,000, so 10,000 images, as many as its test split).</summary>
    public const double ValidationFraction = 1.0 / 6;

    private readonly SampleSet train;
    private readonly SampleSet? test;
    private readonly TableSource? table;
    private readonly bool validation;
    private readonly IReadOnlyList<string> names;

    private LooProtocol(SampleSet train, SampleSet? test, TableSource? table, bool validation, IReadOnlyList<string> names, int[] classes, int[] seeds)
    {
        this.train = train;
        this.test = test;
        this.table = table;
        this.validation = validation;
        this.names = names;
        Folds = seeds.SelectMany(seed => classes.Select(k => (k, seed))).ToArray();
    }

    /// <summary>Every fold (class left out, seed), seed by seed.</summary>
    public IReadOnlyList<(int Class, int Seed)> Folds { get; }

    /// <summary>Reads the dataset's splits (or the table) for <paramref name="options"/>, after checking its classes and seeds.</summary>
    /// <exception cref="ArgumentException">no class or seed, or a class the data does not have.</exception>
    /// <param name="observer">where embedding progress goes (images with <see cref="LooOptions.Features"/> resnet18).</param>
    public static LooProtocol Open(LooOptions options, IFitObserver? observer = null)
    {
        if (options.Seeds.Length == 0)
            throw new ArgumentException("Give at least one seed.");
        if (options.Table is { } source)
        {
            CsvTable read = TableReader.Read(source.Path, source.LabelColumn, source.Features);
            var (names, labels) = read.ClassesOf();
            if (names.Length < 2)
                throw new DataFormatException(source.Path, $"the label column '{source.LabelColumn}' has one value only ('{names[0]}'); leave-one-out needs at least two classes.");
            int[] tableClasses = Classes(options.Classes, names.Length, source.Path);
            return new LooProtocol(new SampleSet(read.Rows(), labels, source.Path), null, source, options.Validation, names, tableClasses, options.Seeds);
        }
        int classCount = DatasetCatalog.ClassCount(options.Dataset);
        int[] classes = Classes(options.Classes, classCount, options.Dataset);
        var (train, test) = Load(options, observer ?? IFitObserver.Silent);
        return new LooProtocol(train, test, null, options.Validation, DatasetCatalog.ClassNames(options.Dataset), classes, options.Seeds);
    }

    private static int[] Classes(int[]? given, int classCount, string data)
    {
        int[] classes = given ?? Enumerable.Range(0, classCount).ToArray();
        if (classes.Length == 0)
            throw new ArgumentException("Give at least one class.");
        if (classes.FirstOrDefault(k => k < 0 || k >= classCount, -1) is var bad and >= 0)
            throw new ArgumentException($"Class {bad} is not in {data}, whose classes are 0–{classCount - 1}.");
        return classes;
    }

    /// <summary>
    /// The training samples and the samples tested: the two splits, or for validation the two parts of the
    /// training split; with ResNet-18 features, their embeddings (each split embedded whole, then split).
    /// </summary>
    private static (SampleSet Train, SampleSet Test) Load(LooOptions options, IFitObserver observer)
    {
        SampleSet train = DatasetCatalog.Load(options.Dataset, DataSplit.Train, options.DataDirectory);
        Features.ResNet18Embedder? embedder = null;
        try
        {
            if (ImageFeatures.Parse(options.Features) == ImageFeatures.ResNet18)
            {
                embedder = Features.ResNet18Embedder.Create(options.EmbeddingInputSize);
                train = Embedded(train, DataSplit.Train);
            }
            if (options.Validation)
                using (train)
                    return train.SplitPerClass(ValidationFraction);
            SampleSet test = DatasetCatalog.Load(options.Dataset, DataSplit.Test, options.DataDirectory);
            return (train, embedder is null ? test : Embedded(test, DataSplit.Test));
        }
        catch
        {
            train.Dispose();
            throw;
        }
        finally
        {
            embedder?.Dispose();
        }

        // The embeddings replace the images, which are released.
        SampleSet Embedded(SampleSet images, DataSplit split)
        {
            using (images)
                return ImageFeatures.Embed(images, ImageFeatures.CacheName(options.Dataset, split), embedder!, null, observer);
        }
    }

    public string ClassName(int k) => names[k];

    /// <summary>The fold's data for class <paramref name="k"/> and <paramref name="seed"/> (new sets, disposed with it).</summary>
    public LooFoldData Fold(int k, int seed)
    {
        if (table is null)
        {
            var (normal, anomalous) = DetectorRun.LeaveOut(train, test!, k);
            return new LooFoldData(normal, test!.Where(_ => true), anomalous);
        }
        return TableFold(train, k, table.TrainFraction, seed, validation, $"class {ClassName(k)}");
    }

    /// <summary>
    /// A table's fold with class <paramref name="k"/> anomalous: each class's rows of <paramref name="rows"/>
    /// are split by <paramref name="seed"/> into a training part (<paramref name="trainFraction"/>) and a test
    /// part. Normal training rows: the training part of the other classes; tested: their test part and every
    /// row of class k. For <paramref name="validation"/>, the same inside the training part (its last
    /// <see cref="ValidationFraction"/> per class held out), and the test part is not used.
    /// </summary>
    /// <exception cref="ArgumentException">too few normal rows to train on or to test.</exception>
    public static LooFoldData TableFold(SampleSet rows, int k, double trainFraction, int seed, bool validation, string what)
    {
        bool[] inTraining = TableSplit.TrainingPart(rows.Labels, trainFraction, seed);
        bool[] fitted = inTraining, tested = inTraining.Select(t => !t).ToArray();
        if (validation)
        {
            bool[] heldOut = TableSplit.LastPerClass(rows.Labels, inTraining, ValidationFraction);
            fitted = inTraining.Select((t, i) => t && !heldOut[i]).ToArray();
            tested = heldOut;
        }
        SampleSet normalRows = rows.Where((label, i) => label != k && fitted[i], "normal training rows");
        try
        {
            // Class k: every row the protocol may read (for validation, the training part's).
            SampleSet testRows = rows.Where((label, i) => label == k ? !validation || inTraining[i] : tested[i], "tested rows");
            bool[] anomalous = testRows.Labels.Select(label => label == k).ToArray();
            if (normalRows.Count < 2 || anomalous.All(a => a) || !anomalous.Any(a => a))
            {
                testRows.Dispose();
                throw new ArgumentException($"{rows.Source}: {what} leaves {normalRows.Count} normal training rows, {anomalous.Count(a => !a)} normal and {anomalous.Count(a => a)} anomalous test rows; too few for a fold (more rows, or another --train-fraction).");
            }
            return new LooFoldData(normalRows, testRows, anomalous);
        }
        catch
        {
            normalRows.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        train.Dispose();
        test?.Dispose();
    }
}

/// <summary>Seeded, per-class splits of a labelled table's rows.</summary>
public static class TableSplit
{
    /// <summary>The default share of each class's rows that detectors may train on.</summary>
    public const double DefaultTrainFraction = 0.7;

    /// <summary>
    /// True for the rows of the training part: of each class's rows, shuffled by <paramref name="seed"/>,
    /// the first ⌊<paramref name="fraction"/> × count⌉ (at least one, and at least one left out when the class has two rows or more).
    /// </summary>
    public static bool[] TrainingPart(int[] labels, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The training fraction must be in (0, 1).");
        var random = new Random(seed);
        var training = new bool[labels.Length];
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] rows = group.ToArray();
            random.Shuffle(rows);
            int count = Math.Clamp((int)Math.Round(fraction * rows.Length, MidpointRounding.AwayFromZero), 1, Math.Max(1, rows.Length - 1));
            foreach (int i in rows[..count])
                training[i] = true;
        }
        return training;
    }

    /// <summary>Of each class's rows where <paramref name="among"/> is true, the last ⌊<paramref name="fraction"/> × count⌉ (in row order).</summary>
    public static bool[] LastPerClass(int[] labels, bool[] among, double fraction)
    {
        var result = new bool[labels.Length];
        foreach (var group in Enumerable.Range(0, labels.Length).Where(i => among[i]).GroupBy(i => labels[i]))
        {
            int[] rows = group.ToArray();
            int count = (int)Math.Round(fraction * rows.Length, MidpointRounding.AwayFromZero);
            foreach (int i in rows[^count..])
                result[i] = true;
        }
        return result;
    }
}
