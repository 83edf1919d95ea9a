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
        var mu = new Option<double?>("--mu") { Description = "Stage 2 weight μ of the nearest-data term." };
        var nu = new Option<double?>("--nu") { Description = "Stage 2 weight ν of the scattering term." };
        var zeta = new Option<double?>("--zeta") { Description = "Stage 4 share ζ of real data on the scorer's normal side." };
        var scorerInit = new Option<ScorerInitialization?>("--scorer-init") { Description = "Where the scorer starts: Fresh or NegatedStage3Discriminator." };
        var scorerDivergence = new Option<string?>("--scorer-divergence") { Description = "The scorer's own f-divergence (default: --divergence)." };
        var standardize = new Option<bool?>("--standardize") { Description = "Standardise the features before training (true/false)." };
        var stageSteps = new Option<string?>("--stage-steps") { Description = "Steps of Stages 1–4 as four comma-separated numbers (overrides --steps)." };
        var config = new Option<string?>("--config") { Description = "A JSON file of the experiment's options, e.g. a run's config.json; other flags override it." };
        var batch = new Option<int?>("--batch-size") { Description = "Batch size of every stage." };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate of every stage." };
        var command = new Command("toy", "Train the four stages on the 2-D two-mode data and write metrics, pictures and the model.")
        {
            config, seed, steps, output, divergence, batch, lr, mu, nu, zeta, scorerInit, scorerDivergence, standardize, stageSteps,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            ToyExperimentOptions options = parse.GetValue(config) is string path ? ToyExperiment.ReadOptions(path) : new();
            var detector = options.Detector;
            if (parse.GetResult(seed) is { Implicit: false } || parse.GetValue(config) is null)
                detector = detector with { Seed = parse.GetValue(seed) };
            if (parse.GetResult(divergence) is { Implicit: false } || parse.GetValue(config) is null)
                detector = detector with { Divergence = DivergenceFunctions.Parse(parse.GetValue(divergence)!) };
            if (parse.GetValue(steps) is int s)
                detector = detector with
                {
                    FGan = detector.FGan with { Steps = s },
                    Boundary = detector.Boundary with { Steps = s },
                    Retraining = detector.Retraining with { Steps = s },
                    Scorer = detector.Scorer with { Steps = s },
                };
            if (parse.GetValue(stageSteps) is string list)
            {
                int[] each = list.Split(',').Select(v => int.TryParse(v, out int n) ? n
                    : throw new ArgumentException($"--stage-steps takes four whole numbers; got '{list}'.")).ToArray();
                if (each.Length != 4)
                    throw new ArgumentException($"--stage-steps takes four whole numbers; got '{list}'.");
                detector = detector with
                {
                    FGan = detector.FGan with { Steps = each[0] },
                    Boundary = detector.Boundary with { Steps = each[1] },
                    Retraining = detector.Retraining with { Steps = each[2] },
                    Scorer = detector.Scorer with { Steps = each[3] },
                };
            }
            if (parse.GetValue(batch) is int b)
                detector = detector with
                {
                    FGan = detector.FGan with { BatchSize = b },
                    Boundary = detector.Boundary with { BatchSize = b },
                    Retraining = detector.Retraining with { BatchSize = b },
                    Scorer = detector.Scorer with { BatchSize = b },
                };
            if (parse.GetValue(lr) is double rate)
                detector = detector with
                {
                    FGan = detector.FGan with { LearningRate = rate },
                    Boundary = detector.Boundary with { LearningRate = rate },
                    Retraining = detector.Retraining with { LearningRate = rate },
                    Scorer = detector.Scorer with { LearningRate = rate },
                };
            detector = detector with
            {
                Standardize = parse.GetValue(standardize) ?? detector.Standardize,
                Boundary = detector.Boundary with
                {
                    NearestDataWeight = parse.GetValue(mu) ?? detector.Boundary.NearestDataWeight,
                    ScatteringWeight = parse.GetValue(nu) ?? detector.Boundary.ScatteringWeight,
                },
                Scorer = detector.Scorer with
                {
                    Zeta = parse.GetValue(zeta) ?? detector.Scorer.Zeta,
                    Initialization = parse.GetValue(scorerInit) ?? detector.Scorer.Initialization,
                    Divergence = parse.GetValue(scorerDivergence) is string sd ? DivergenceFunctions.Parse(sd) : detector.Scorer.Divergence,
                },
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
