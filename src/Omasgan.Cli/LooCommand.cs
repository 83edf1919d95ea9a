using System.CommandLine;
using Omasgan.Data;
using Omasgan.Experiments;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan loo</c>: the leave-one-out protocol over a dataset's classes.</summary>
internal static class LooCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "The dataset: " + string.Join(", ", DatasetCatalog.Names) + ".",
            Required = true,
        };
        var classes = new Option<string?>("--classes") { Description = "Classes to leave out in turn, e.g. 0,3 (default: all)." };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, e.g. 1,2 (default 1).", DefaultValueFactory = _ => "1" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/loo-DATASET-PRESET); a rerun skips the folds already complete." };
        var detector = new DetectorOptions();
        var command = new Command("loo",
            "Leave-one-out: for each class, train on the other classes' training images and test on the whole test split with that class anomalous. " +
            "Writes a folder per class and seed, and loo.json, loo.csv and report.md.")
        {
            dataset, classes, seeds, output,
        };
        foreach (Option option in detector.All) command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(detector.Resume) && parse.GetValue(output) is null)
                throw new ArgumentException("--resume needs --out, the run folder to continue.");
            string name = parse.GetValue(dataset)!;
            DatasetCatalog.ClassCount(name); // an unknown name fails here, before anything is read
            var options = new LooOptions
            {
                Dataset = name,
                DataDirectory = parse.GetValue(detector.DataDirectory),
                Classes = parse.GetValue(classes) is string c ? ParseList(c, "--classes") : null,
                Seeds = ParseList(parse.GetValue(seeds)!, "--seeds"),
                Preset = parse.GetValue(detector.Preset)!.ToLowerInvariant(),
                Detector = detector.Build(parse),
                TensorBoard = parse.GetValue(detector.TensorBoard),
                CheckpointInterval = parse.GetValue(detector.CheckpointEvery),
                Command = "omasgan " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
            };
            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"loo-{name.ToLowerInvariant()}-{options.Preset}");
            AnsiConsole.MarkupLine($"[bold]OMASGAN leave-one-out[/] · {Markup.Escape(name)} · preset {Markup.Escape(options.Preset)} · run folder [blue]{Markup.Escape(runDirectory)}[/]");
            LooSummary summary = LooExperiment.Run(options, runDirectory, new ConsoleFitObserver(), parse.GetValue(detector.Resume));

            var table = new Table().AddColumns("class", "seed", "scorer S", "Stage 1 −D", "Stage 3 −D′", "seconds");
            foreach (LooFold f in summary.Folds)
                table.AddRow($"{f.Class} {Markup.Escape(f.ClassName)}", f.Seed.ToString(), f.Detectors["scorer"].Auroc.ToString("F4"),
                    f.Detectors["stage1_discriminator"].Auroc.ToString("F4"), f.Detectors["stage3_discriminator"].Auroc.ToString("F4"),
                    (f.TrainSeconds + f.ScoreSeconds).ToString("F0"));
            table.AddRow("[bold]mean ± std[/]", "", summary.Auroc["scorer"].ToString(), summary.Auroc["stage1_discriminator"].ToString(),
                summary.Auroc["stage3_discriminator"].ToString(), summary.FoldSeconds.Mean.ToString("F0"));
            AnsiConsole.Write(table);
            Console.WriteLine(Path.GetFullPath(Path.Combine(runDirectory, LooExperiment.ReportFileName)));
            return 0;
        }));
        return command;
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
