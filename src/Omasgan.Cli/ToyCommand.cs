using System.CommandLine;
using Omasgan.Checkpoints;
using Omasgan.Divergences;
using Omasgan.Experiments;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan toy</c>: the paper's 2-D experiment.</summary>
internal static class ToyCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "A JSON file of the experiment's options, such as a run's config.json; the flags below override it." };
        var seed = new Option<int?>("--seed") { Description = "Seed of the data, the weights and every draw (default 1)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps of each of the four stages (default: the experiment's own per stage)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/toy-<time>)." };
        var divergence = new Option<string?>("--divergence")
        {
            Description = "f-divergence of the stages: " + string.Join(", ", Enum.GetValues<Divergence>().Select(d => d.CliName())) + " (default pearson).",
        };
        var mu = new Option<double?>("--mu") { Description = "Stage 2 weight μ of the nearest-data term." };
        var nu = new Option<double?>("--nu") { Description = "Stage 2 weight ν of the scattering term." };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Steps between checkpoints in the run folder's checkpoints/ (each stage also saves at its end).",
            DefaultValueFactory = _ => CheckpointOptions.DefaultInterval,
        };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last complete checkpoint, with its config.json." };
        var rollbacks = new Option<int>("--rollbacks")
        {
            Description = "Times a stage whose loss turns NaN or infinite may go back to the last checkpoint with half its learning rate (default 0: stop).",
        };
        var command = new Command("toy", "Train the four stages on the 2-D two-mode data and write metrics, pictures and the model.")
        {
            config, seed, steps, output, divergence, mu, nu, checkpointEvery, resume, rollbacks,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            bool resuming = parse.GetValue(resume);
            if (resuming)
            {
                if (parse.GetValue(output) is null)
                    throw new ArgumentException("--resume needs --out, the run folder to continue.");
                Option[] changing = [config, seed, steps, divergence, mu, nu];
                if (changing.FirstOrDefault(o => parse.GetResult(o) is not null) is { } given)
                    throw new ArgumentException($"--resume continues with the run's own config.json; {given.Name} cannot change it.");
            }
            ToyExperimentOptions options =
                resuming ? ToyExperiment.ReadOptions(Path.Combine(parse.GetValue(output)!, "config.json"))
                : parse.GetValue(config) is string path ? ToyExperiment.ReadOptions(path)
                : new();
            var detector = options.Detector;
            if (parse.GetValue(seed) is int s)
                detector = detector with { Seed = s };
            if (parse.GetValue(divergence) is string name)
                detector = detector with { Divergence = DivergenceFunctions.Parse(name) };
            if (parse.GetValue(steps) is int n)
                detector = detector.WithStepsPerStage(n);
            detector = detector with
            {
                Boundary = detector.Boundary with
                {
                    NearestDataWeight = parse.GetValue(mu) ?? detector.Boundary.NearestDataWeight,
                    ScatteringWeight = parse.GetValue(nu) ?? detector.Boundary.ScatteringWeight,
                },
            };
            options = options with { Detector = detector };
            options.Validate();

            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"toy-{DateTime.Now:yyyyMMdd-HHmmss}");
            var checkpoints = new CheckpointOptions
            {
                Directory = Path.Combine(runDirectory, ToyExperiment.CheckpointFolder),
                Interval = parse.GetValue(checkpointEvery),
                Resume = resuming,
                Rollbacks = parse.GetValue(rollbacks),
            };
            checkpoints.Validate();
            AnsiConsole.MarkupLine($"[bold]OMASGAN 2-D experiment[/] · seed {detector.Seed} · {detector.Divergence.CliName()} · run folder [blue]{Markup.Escape(runDirectory)}[/]");
            ToyResult result = StageProgressDisplay.Run(detector, progress => ToyExperiment.Run(options, runDirectory, progress, checkpoints));

            var table = new Table().AddColumns("detector", "AUROC");
            foreach (var (detectorName, auroc) in result.DetectorAuroc)
                table.AddRow(detectorName, auroc.ToString("F4"));
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
