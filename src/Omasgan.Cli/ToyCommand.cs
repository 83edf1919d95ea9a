using System.CommandLine;
using Omasgan.Divergences;
using Omasgan.Experiments;
using Omasgan.Stages;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan toy</c>: the paper's 2-D experiment.</summary>
internal static class ToyCommand
{
    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the data, the weights and every draw.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int?>("--steps") { Description = "Training steps of each of the four stages (default: the experiment's own)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/toy-<time>)." };
        var divergence = new Option<string>("--divergence")
        {
            Description = "f-divergence: " + string.Join(", ", Enum.GetValues<Divergence>().Select(d => d.CliName())) + ".",
            DefaultValueFactory = _ => Divergence.Pearson.CliName(),
        };
        var command = new Command("toy", "Train the four stages on the 2-D two-mode data and write metrics, pictures and the model.")
        {
            seed, steps, output, divergence,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ToyExperimentOptions options = new();
            var detector = options.Detector with
            {
                Seed = parse.GetValue(seed),
                Divergence = DivergenceFunctions.Parse(parse.GetValue(divergence)!),
            };
            if (parse.GetValue(steps) is int s)
                detector = detector with
                {
                    FGan = detector.FGan with { Steps = s },
                    Boundary = detector.Boundary with { Steps = s },
                    Retraining = detector.Retraining with { Steps = s },
                    Scorer = detector.Scorer with { Steps = s },
                };
            options = options with { Detector = detector };
            options.Validate();
            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"toy-{DateTime.Now:yyyyMMdd-HHmmss}");
            AnsiConsole.MarkupLine($"[bold]OMASGAN 2-D experiment[/] · seed {detector.Seed} · {detector.Divergence.CliName()} · run folder [blue]{Markup.Escape(runDirectory)}[/]");

            ToyResult result = StageProgressDisplay.Run(detector, progress => ToyExperiment.Run(options, runDirectory, progress));

            var table = new Table().AddColumns("detector", "AUROC");
            foreach (var (name, auroc) in result.DetectorAuroc)
                table.AddRow(name, auroc.ToString("F4"));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Scorer AUROC [bold]{result.Scorer.Auroc:F4}[/], AUPRC {result.Scorer.Auprc:F4}; " +
                $"median nearest-data distance: Stage 1 samples {result.Boundary.Stage1MedianNearestDistance:F3}, " +
                $"boundary samples {result.Boundary.BoundaryMedianNearestDistance:F3}; {result.TotalSeconds:F1} s.");
            Console.WriteLine(result.RunDirectory);
            return 0;
        }));
        return command;
    }
}
