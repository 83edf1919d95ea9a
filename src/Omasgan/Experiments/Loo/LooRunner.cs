using System.Diagnostics;
using System.Text.Json;
using Omasgan.Data;
using Omasgan.Detection;

namespace Omasgan.Experiments.Loo;

/// <summary>
/// Runs leave-one-out: every detector on every fold of the protocol, each the same way (fit on the
/// fold's normal images, save, score the tested images, write its metrics), in its own folder
/// class-K-seed-S/NAME. A detector's folder is complete once its metrics.json exists: reruns skip it.
/// At the end the report writer summarises every complete fold of the run folder (loo.json, loo.csv, report.md).
/// </summary>
public static class LooRunner
{
    public const string ConfigFileName = "loo-config.json";

    public static string FoldFolder(int k, int seed) => $"class-{k}-seed-{seed}";

    /// <summary>Runs the detectors named in <paramref name="options"/> on the dataset's folds.</summary>
    /// <param name="resume">continue incomplete fits from their last checkpoint (otherwise they start over).</param>
    public static LooSummary Run(LooOptions options, string runDirectory, IFitObserver observer, bool resume = false)
    {
        options.Detector.Validate();
        options.Baselines.Validate();
        if (options.Detectors.Length == 0)
            throw new ArgumentException($"Give at least one detector of: {string.Join(", ", DetectorCatalog.Names)}.");
        IDetectorTrainer[] trainers = options.Detectors.Select(name => DetectorCatalog.Trainer(name, options.Detector, options.Baselines)).ToArray();
        using LooProtocol protocol = LooProtocol.Open(options, observer);
        return Run(options, protocol, trainers, runDirectory, observer, resume);
    }

    /// <summary>
    /// Runs <paramref name="trainers"/>' detectors on <paramref name="protocol"/>'s folds, then rebuilds the
    /// run's summary from every complete fold in <paramref name="runDirectory"/>. Several processes may
    /// run folds into one run folder at once: each detector's folder is written only by the process
    /// holding its lock, and one busy elsewhere is skipped.
    /// </summary>
    public static LooSummary Run(LooOptions options, LooProtocol protocol, IReadOnlyList<IDetectorTrainer> trainers, string runDirectory,
        IFitObserver observer, bool resume = false)
    {
        if (trainers.Count == 0 || trainers.Select(t => t.Name).Distinct().Count() != trainers.Count)
            throw new ArgumentException("Give at least one detector, each once.");
        CheckConfig(options, runDirectory);
        int index = 0;
        foreach (var (k, seed) in protocol.Folds)
        {
            string folder = Path.Combine(runDirectory, FoldFolder(k, seed));
            RefuseEarlierLayout(folder);
            string title = $"Fold {++index}/{protocol.Folds.Count}: class {k} ({protocol.ClassName(k)}), seed {seed}";
            LooFoldData? data = null;
            try
            {
                foreach (IDetectorTrainer trainer in trainers)
                {
                    string directory = Path.Combine(folder, trainer.Name);
                    if (DetectorRun.ReadMetrics<DetectorFold>(directory) is { } done)
                    {
                        observer.Info($"{title}: {trainer.Name} already complete, {Aurocs(done)}.");
                        continue;
                    }
                    using FileLock? held = FileLock.TryAcquire(directory + ".lock");
                    if (held is null)
                    {
                        observer.Info($"{title}: {trainer.Name} is being run by another process; left to it.");
                        continue;
                    }
                    // Another process may have finished it between the first look and the lock.
                    if (DetectorRun.ReadMetrics<DetectorFold>(directory) is not null)
                        continue;
                    data ??= protocol.Fold(k, seed);
                    RunDetector(trainer, data, k, protocol.ClassName(k), seed, directory, options, observer, title, resume);
                }
            }
            finally
            {
                data?.Dispose();
            }
        }
        return LooReport.Rebuild(runDirectory, options.Command);
    }

    /// <summary>Fits one detector on the fold's normal images only, saves it, scores the tested images and writes its metrics.</summary>
    private static void RunDetector(IDetectorTrainer trainer, LooFoldData data, int k, string className,
        int seed, string directory, LooOptions options, IFitObserver observer, string title, bool resume)
    {
        var (normal, test, anomalous) = data;
        if (!resume && Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        observer.Info($"{title}: fitting {trainer.Name} …");
        var clock = Stopwatch.StartNew();
        using IAnomalyDetector detector = trainer.Fit(normal.Samples, new FitSettings
        {
            Seed = seed,
            RunDirectory = directory,
            Resume = resume,
            CheckpointInterval = options.CheckpointInterval,
            TensorBoard = options.TensorBoard,
            Device = options.Device,
            Observer = observer,
            Title = $"{title}: {trainer.Name}",
        });
        double fitSeconds = clock.Elapsed.TotalSeconds;
        detector.Save(Path.Combine(directory, DetectorRun.ModelFolder));
        if (options.Table is { } table)
            TableColumns.Write(Path.Combine(directory, DetectorRun.ModelFolder), table.Features);
        DetectorEvaluation evaluation = DetectorRun.Evaluate(detector, test, anomalous, directory);
        var result = new DetectorFold
        {
            Detector = trainer.Name,
            Class = k,
            ClassName = className,
            Seed = seed,
            NormalTrainingImages = normal.Count,
            TestImages = test.Count,
            AnomalousTestImages = anomalous.Count(a => a),
            Columns = evaluation.Columns,
            FitSeconds = fitSeconds,
            ScoreSeconds = evaluation.Seconds,
            Versions = OmasganDetector.LibraryVersions,
        };
        DetectorRun.WriteMetrics(directory, result);
        observer.Info($"{title}: {trainer.Name} {Aurocs(result)} ({fitSeconds + evaluation.Seconds:F0} s).");
    }

    private static string Aurocs(DetectorFold fold) =>
        string.Join(", ", fold.Columns.Select(c => $"{c.Column.Title} AUROC {c.Metrics.Auroc:F4}"));

    /// <summary>A fold folder written by the layout before detectors had folders of their own is left alone and refused.</summary>
    private static void RefuseEarlierLayout(string folder)
    {
        if (File.Exists(Path.Combine(folder, DetectorRun.MetricsFileName)) || Directory.Exists(Path.Combine(folder, "baselines")))
            throw new InvalidDataException($"{folder}: a fold written by an earlier version (its results lie in the fold folder itself, not in one folder per detector); nothing was deleted. Choose another --out.");
    }

    /// <summary>The settings of the run in <paramref name="runDirectory"/> (what decides its results).</summary>
    /// <exception cref="ArgumentException">the folder holds no leave-one-out run.</exception>
    public static LooOptions ReadConfig(string runDirectory)
    {
        string path = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(path))
            throw new ArgumentException($"{path}: no leave-one-out run here.");
        return ConfigFile.Read<LooOptions>(path, "a leave-one-out configuration");
    }

    /// <summary>Writes the run's settings, or refuses a folder that holds a run with other settings.</summary>
    private static void CheckConfig(LooOptions options, string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, ConfigFileName);
        // What decides the folds' results; classes, seeds, detectors and the command may differ between reruns.
        static string Defining(LooOptions o) => JsonSerializer.Serialize(
            o with { Classes = null, Seeds = [], Detectors = [], Command = "", TensorBoard = false, CheckpointInterval = 0, Device = null }, OmasganDetector.JsonOptions);
        string json = Defining(options);
        // Under the run's lock, so processes starting together agree on one configuration.
        using FileLock held = FileLock.Acquire(Path.Combine(runDirectory, LooReport.LockFileName), TimeSpan.FromMinutes(5));
        // Read back through the current options type, so settings added since the file was written take their defaults.
        if (File.Exists(path) && Defining(ReadConfig(runDirectory)) != json)
            throw new ArgumentException($"{runDirectory}: the folder holds a leave-one-out run with other settings ({path}); choose another --out.");
        AtomicFile.WriteAllText(path, json);
    }
}
