using System.CommandLine;
using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Experiments.Loo;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan train</c>: fit a detector on a dataset's classes or a folder of images.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = "A built-in dataset: " + string.Join(", ", DatasetCatalog.Names) + "." };
        var abnormal = new Option<int?>("--abnormal-class")
        {
            Description = "With --dataset: leave this class out of training and test on the test split with it anomalous (default: train on every class, no test).",
        };
        var images = new Option<string?>("--images") { Description = "A folder of normal training images (PNG or JPEG, grey or colour; resized to 32×32)." };
        var testImages = new Option<string?>("--test-images") { Description = "With --images: a test folder holding normal/ and anomalous/ subfolders." };
        var seed = new Option<int?>("--seed") { Description = "Seed of the weights and every draw (default 1)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/train-<time>)." };
        var rollbacks = new Option<int>("--rollbacks")
        {
            Description = "Times a stage whose loss turns NaN or infinite may go back to the last checkpoint with half its learning rate (default 0: stop).",
        };
        var contamination = new Option<double>("--contamination")
        {
            Description = "Share of the normal training data above the threshold saved with the model, which omasgan score applies (0–1).",
            DefaultValueFactory = _ => ScoreThreshold.DefaultContamination,
        };
        var detector = new DetectorOptions();
        var table = new TableOptions();
        var features = new Option<string>("--features")
        {
            Description = "What the detector sees of images: pixels (default), or resnet18: the 512 numbers of ImageNet's ResNet-18 per image, through the vector preset.",
            DefaultValueFactory = _ => ImageFeatures.Pixels,
        };
        var command = new Command("train",
            "Train a detector on normal images or table rows; writes the model, sample grids (images), losses and, with a test set, metrics.")
        {
            dataset, abnormal, images, testImages, features, table.Table, table.LabelColumn, table.AnomalyLabel, table.TrainFraction, seed, output, rollbacks, contamination,
        };
        foreach (Option option in detector.All) command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            detector.CheckResume(parse, output, dataset, abnormal, images, testImages, table.Table, table.LabelColumn, table.AnomalyLabel, table.TrainFraction, seed);
            bool resuming = parse.GetValue(detector.Resume);
            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"train-{DateTime.Now:yyyyMMdd-HHmmss}");
            TrainConfig config = resuming ? TrainRun.ReadConfig(runDirectory) : NewConfig(parse, detector, table, features, dataset, abnormal, images, testImages, seed);
            config.Validate();
            var fit = new FitSettings
            {
                Resume = resuming,
                CheckpointInterval = parse.GetValue(detector.CheckpointEvery),
                Rollbacks = parse.GetValue(rollbacks),
                Contamination = parse.GetValue(contamination),
                Device = detector.DeviceName(parse),
                Observer = new ConsoleFitObserver(),
            };
            fit.Validate();
            AnsiConsole.MarkupLine($"[bold]OMASGAN training[/] · preset {Markup.Escape(config.Preset)} · seed {config.Detector.Seed} · run folder [blue]{Markup.Escape(runDirectory)}[/]");
            TrainResult result = TrainRun.Run(config, runDirectory, fit, fit.Observer);
            if (result.Detectors.Count > 0)
            {
                var table = new Table().AddColumns("detector", "AUROC", "AUPRC");
                foreach (var (name, metrics) in result.Detectors)
                    table.AddRow(name, metrics.Auroc.ToString("F4"), metrics.Auprc.ToString("F4"));
                AnsiConsole.Write(table);
            }
            AnsiConsole.MarkupLine($"Trained in {result.TrainSeconds:F0} s; the model is in [blue]{Markup.Escape(Path.Combine(runDirectory, DetectorRun.ModelFolder))}[/].");
            Console.WriteLine(Path.GetFullPath(runDirectory));
            return 0;
        }));
        return command;
    }

    /// <summary>The run's settings from the command line: images (a dataset or a folder) or a table.</summary>
    private static TrainConfig NewConfig(ParseResult parse, DetectorOptions detector, TableOptions table, Option<string> features, Option<string?> dataset,
        Option<int?> abnormal, Option<string?> images, Option<string?> testImages, Option<int?> seed)
    {
        if (parse.GetValue(table.Table) is not string path)
        {
            table.Source(parse); // refuses table options without --table
            string seen = ImageFeatures.Parse(parse.GetValue(features)!);
            bool embedded = seen == ImageFeatures.ResNet18;
            OmasganOptions chosen = embedded ? detector.BuildVector(parse, Omasgan.Features.ResNet18Embedder.EmbeddingSize) : detector.Build(parse);
            return new TrainConfig
            {
                ImageFeatures = seen,
                Dataset = parse.GetValue(dataset),
                DataDirectory = parse.GetValue(detector.DataDirectory),
                AbnormalClass = parse.GetValue(abnormal),
                Images = parse.GetValue(images),
                TestImages = parse.GetValue(testImages),
                Preset = embedded ? VectorPreset.Name : detector.PresetName(parse),
                Detector = parse.GetValue(seed) is int s ? chosen with { Seed = s } : chosen,
                TensorBoard = parse.GetValue(detector.TensorBoard),
            };
        }
        if (parse.FirstTyped(dataset, abnormal, images, testImages, features) is { } other)
            throw new ArgumentException($"Give --table or {other.Name}, not both.");
        string? label = parse.GetValue(table.LabelColumn);
        CsvTable read = TableReader.Read(path, label);
        TableOptions.ReportDropped(path, read.DroppedConstant);
        OmasganOptions options = detector.BuildVector(parse, read.Features.Length);
        return new TrainConfig
        {
            Table = Path.GetFullPath(path),
            LabelColumn = label,
            AnomalyLabel = parse.GetValue(table.AnomalyLabel),
            TrainFraction = parse.GetValue(table.TrainFraction) ?? TableSplit.DefaultTrainFraction,
            Features = read.Features,
            Preset = VectorPreset.Name,
            Detector = parse.GetValue(seed) is int s2 ? options with { Seed = s2 } : options,
            TensorBoard = parse.GetValue(detector.TensorBoard),
        };
    }
}
