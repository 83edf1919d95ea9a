using System.CommandLine;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Experiments.Loo;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan loo</c>: the leave-one-out protocol over a dataset's classes.</summary>
internal static class LooCommand
{
    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = "A built-in image dataset: " + string.Join(", ", DatasetCatalog.Names) + "." };
        var table = new TableOptions();
        var classes = new Option<string?>("--classes") { Description = "Classes to leave out in turn, e.g. 0,3 (default: all; for a table, the label values in sorted order are classes 0, 1, …)." };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, e.g. 1,2 (default 1).", DefaultValueFactory = _ => "1" };
        var detectors = new Option<string>("--detectors")
        {
            Description = $"Detectors to compare, comma-separated: {string.Join(", ", DetectorCatalog.Names)}, or all (default). omasgan gives its scorer and both discriminators.",
            DefaultValueFactory = _ => "all",
        };
        var baselineSteps = new Option<int?>("--baseline-steps") { Description = $"Training steps of the autoencoder and Deep SVDD (default {new Omasgan.Baselines.BaselineOptions().Steps})." };
        var neighbours = new Option<int?>("--knn-k") { Description = $"Neighbours averaged by kNN (default {new Omasgan.Baselines.BaselineOptions().Neighbours})." };
        var validation = new Option<bool>("--validation")
        {
            Description = "Choose settings without the test split: hold out the last sixth of each class of the training split, train on the rest, and test on the held-out part. The test split is not read.",
        };
        var features = new Option<string>("--features")
        {
            Description = "What detectors see of images: pixels (default), or resnet18: the 512 numbers of ImageNet's ResNet-18 per image (cached on disk, $OMASGAN_EMBEDDINGS), through the vector preset and baselines.",
            DefaultValueFactory = _ => ImageFeatures.Pixels,
        };
        var embeddingSize = new Option<int>("--embedding-size")
        {
            Description = "With --features resnet18: the side images are resized to before the network, a multiple of 32 from 32 to 224 (224: the model's own size, slowest).",
            DefaultValueFactory = _ => Omasgan.Features.ResNet18Embedder.DefaultInputSize,
        };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/loo-DATASET-PRESET, with -validation after it for --validation); a rerun skips the folds already complete." };
        var detector = new DetectorOptions();
        var command = new Command("loo",
            "Leave-one-out: for each class, train on the other classes' training images and test on the whole test split with that class anomalous " +
            "(for a --table: a seeded split of each class's rows). Writes a folder per class and seed, and loo.json, loo.csv and report.md.")
        {
            dataset, features, embeddingSize, table.Table, table.LabelColumn, table.AnomalyLabel, table.TrainFraction, classes, seeds, detectors, baselineSteps, neighbours, validation, output,
        };
        foreach (Option option in detector.All) command.Options.Add(option);
        command.Subcommands.Add(CreateReport());
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(detector.Resume) && parse.GetValue(output) is null)
                throw new ArgumentException("--resume needs --out, the run folder to continue.");
            TableChoice? choice = table.Source(parse, dataset);
            TableSource? source = choice?.Table;
            string name = source is null
                ? parse.GetValue(dataset) ?? throw new ArgumentException("Give --dataset NAME or --table FILE.")
                : Path.GetFileName(source.Path);
            if (source is null)
                DatasetCatalog.ClassCount(name); // an unknown name fails here, before anything is read
            int[]? chosen = parse.GetValue(classes) is string c ? ParseList(c, "--classes") : null;
            if (choice?.AnomalyClass is int anomalous)
            {
                if (chosen is not null)
                    throw new ArgumentException("Give --classes or --anomaly-label, not both.");
                chosen = [anomalous];
            }
            string seen = ImageFeatures.Parse(parse.GetValue(features)!);
            if (source is not null && seen != ImageFeatures.Pixels)
                throw new ArgumentException("--features goes with images, not --table.");
            bool vectors = source is not null || seen == ImageFeatures.ResNet18;
            var options = new LooOptions
            {
                Dataset = name,
                Features = seen,
                EmbeddingInputSize = Omasgan.Features.ResNet18Embedder.IsValidInputSize(parse.GetValue(embeddingSize))
                    ? parse.GetValue(embeddingSize)
                    : throw new ArgumentException($"--embedding-size {parse.GetValue(embeddingSize)}: use a multiple of 32 from 32 to 224."),
                Table = source,
                DataDirectory = parse.GetValue(detector.DataDirectory),
                Classes = chosen,
                Seeds = ParseList(parse.GetValue(seeds)!, "--seeds"),
                Preset = vectors ? detector.VectorPresetName(parse) : detector.PresetName(parse),
                Validation = parse.GetValue(validation),
                Detectors = ParseDetectors(parse.GetValue(detectors)!),
                Baselines = new Omasgan.Baselines.BaselineOptions() is var b
                    ? b with { Steps = parse.GetValue(baselineSteps) ?? b.Steps, Neighbours = parse.GetValue(neighbours) ?? b.Neighbours }
                    : null!,
                Detector = vectors ? detector.BuildVector(parse, source?.Features.Length ?? Omasgan.Features.ResNet18Embedder.EmbeddingSize) : detector.Build(parse),
                TensorBoard = parse.GetValue(detector.TensorBoard),
                CheckpointInterval = parse.GetValue(detector.CheckpointEvery),
                Device = detector.DeviceName(parse),
                Command = "omasgan " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
            };
            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"loo-{name.ToLowerInvariant()}{(seen == ImageFeatures.ResNet18 ? $"-resnet18-{options.EmbeddingInputSize}" : "")}-{options.Preset}{(options.Validation ? "-validation" : "")}");
            AnsiConsole.MarkupLine($"[bold]OMASGAN leave-one-out{(options.Validation ? " validation" : "")}[/] · {Markup.Escape(name)} · preset {Markup.Escape(options.Preset)} · run folder [blue]{Markup.Escape(runDirectory)}[/]");
            LooSummary summary = LooRunner.Run(options, runDirectory, new ConsoleFitObserver(), parse.GetValue(detector.Resume));
            Show(summary, runDirectory);
            return 0;
        }));
        return command;
    }

    /// <summary><c>omasgan loo report RUN</c>: the summary files rebuilt from the complete folds.</summary>
    private static Command CreateReport()
    {
        var run = new Argument<string>("RUN") { Description = "The leave-one-out run folder." };
        var command = new Command("report",
            "Rebuild loo.json, loo.csv and report.md from every complete fold in a run folder, e.g. after folds ran as separate jobs (docs/cluster.md).")
        {
            run,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string runDirectory = parse.GetValue(run)!;
            Show(LooReport.Rebuild(runDirectory, "omasgan " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1))), runDirectory);
            return 0;
        }));
        return command;
    }

    /// <summary>The per-fold AUROC table and the report's path.</summary>
    private static void Show(LooSummary summary, string runDirectory)
    {
        var table = new Table().AddColumns(["class", "seed", .. summary.Columns.Select(c => Markup.Escape(c.Title))]);
        foreach (LooFold f in summary.Folds)
            table.AddRow([$"{f.Class} {Markup.Escape(f.ClassName)}", f.Seed.ToString(),
                .. summary.Columns.Select(c => f.Detectors.TryGetValue(c.Key, out var m) ? m.Auroc.ToString("F4") : "–")]);
        table.AddRow(["[bold]mean[/]", "", .. summary.Columns.Select(c => summary.Auroc[c.Key].Mean.ToString("F4"))]);
        AnsiConsole.Write(table);
        Console.WriteLine(Path.GetFullPath(Path.Combine(runDirectory, LooReport.ReportFileName)));
    }

    /// <summary>"all" or comma-separated detector names.</summary>
    internal static string[] ParseDetectors(string text)
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return [.. DetectorCatalog.Names];
        string[] names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        if (names.Length == 0 || names.Any(n => !DetectorCatalog.Names.Contains(n)))
            throw new ArgumentException($"--detectors: use all or some of {string.Join(", ", DetectorCatalog.Names)}.");
        return names;
    }

    /// <summary>Comma-separated integers.</summary>
    internal static int[] ParseList(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            throw new ArgumentException($"{option} needs at least one number, e.g. 0,3.");
        return parts.Select(p => int.TryParse(p, out int v) ? v : throw new ArgumentException($"{option}: '{p}' is not a whole number.")).Distinct().ToArray();
    }
}
