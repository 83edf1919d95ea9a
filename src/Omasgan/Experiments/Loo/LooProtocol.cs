using Omasgan.Data;

namespace Omasgan.Experiments.Loo;

/// <summary>
/// The leave-one-out protocol's folds: for each class k and seed, the training images of the other
/// classes (normal data) and the images tested with class k anomalous: the whole test split, or for
/// validation the held-out part of the training split (the test split is then not read).
/// </summary>
public sealed class LooProtocol : IDisposable
{
    /// <summary>The share of each class of the training split that validation holds out (Fashion-MNIST: 1,000 of 6,000, so 10,000 images, as many as its test split).</summary>
    public const double ValidationFraction = 1.0 / 6;

    private readonly SampleSet train;
    private readonly IReadOnlyList<string> names;

    private LooProtocol(SampleSet train, SampleSet test, IReadOnlyList<string> names, int[] classes, int[] seeds)
    {
        this.train = train;
        this.names = names;
        Test = test;
        Folds = seeds.SelectMany(seed => classes.Select(k => (k, seed))).ToArray();
    }

    /// <summary>Every fold (class left out, seed), seed by seed.</summary>
    public IReadOnlyList<(int Class, int Seed)> Folds { get; }

    /// <summary>The images every fold tests.</summary>
    public SampleSet Test { get; }

    /// <summary>Reads the dataset's splits for <paramref name="options"/>, after checking its classes and seeds.</summary>
    /// <exception cref="ArgumentException">no class or seed, or a class the dataset does not have.</exception>
    public static LooProtocol Open(LooOptions options)
    {
        int classCount = DatasetCatalog.ClassCount(options.Dataset);
        int[] classes = options.Classes ?? Enumerable.Range(0, classCount).ToArray();
        if (classes.Length == 0 || options.Seeds.Length == 0)
            throw new ArgumentException("Give at least one class and one seed.");
        if (classes.FirstOrDefault(k => k < 0 || k >= classCount, -1) is var bad and >= 0)
            throw new ArgumentException($"Class {bad} is not in {options.Dataset}, whose classes are 0–{classCount - 1}.");
        var (train, test) = Load(options);
        return new LooProtocol(train, test, DatasetCatalog.ClassNames(options.Dataset), classes, options.Seeds);
    }

    /// <summary>The training images and the images tested: the two splits, or for validation the two parts of the training split.</summary>
    private static (SampleSet Train, SampleSet Test) Load(LooOptions options)
    {
        SampleSet train = DatasetCatalog.Load(options.Dataset, DataSplit.Train, options.DataDirectory);
        if (options.Validation)
            using (train)
                return train.SplitPerClass(ValidationFraction);
        try
        {
            return (train, DatasetCatalog.Load(options.Dataset, DataSplit.Test, options.DataDirectory));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    public string ClassName(int k) => names[k];

    /// <summary>The fold's normal training images (a new set, disposed by the caller) and which test images are anomalous.</summary>
    public (SampleSet Normal, bool[] Anomalous) LeaveOut(int k) => DetectorRun.LeaveOut(train, Test, k);

    public void Dispose()
    {
        train.Dispose();
        Test.Dispose();
    }
}
