using System.CommandLine;
using Omasgan.Detection;
using Omasgan.Divergences;
using Omasgan.Experiments.Ladder;
using Omasgan.Networks;
using Omasgan.Stages;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan ladder</c>: the detector on synthetic data of growing dimension, against kNN, with diagnostics.</summary>
internal static class LadderCommand
{
    private static readonly Dictionary<string, DistanceUnit> Units = new()
    {
        ["none"] = DistanceUnit.None,
        ["nn"] = DistanceUnit.NearestNeighbour,
        ["sqrt-d"] = DistanceUnit.SqrtDimension,
        ["sqrt-nn"] = DistanceUnit.NearestNeighbourRoot,
    };

    public static Command Create()
    {
        var variants = new Option<string>("--variants")
        {
            Description = "Data variants, comma-separated: modes (the 2-D two modes lifted to d), clusters (k Gaussian clusters, one left out).",
            DefaultValueFactory = _ => "modes,clusters",
        };
        var dims = new Option<string>("--dims") { Description = "Dimensions d of the rungs.", DefaultValueFactory = _ => "2,4,8,16,32,64,128" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds; each fits every rung once.", DefaultValueFactory = _ => "1,2,3" };
        var embed = new Option<int?>("--embed") { Description = "Map every rung's data into D dimensions by a fixed random linear map plus small noise." };
        var embedNoise = new Option<double?>("--embed-noise") { Description = "Noise after --embed's map, as a fraction of the smallest mode's radius (default 0.05)." };
        var settings = new Option<string>("--settings")
        {
            Description = $"Detector settings: {string.Join(", ", LadderSettings.Names)} (default {LadderSettings.Default}: the 2-D experiment's, shorter stages; paper: the library defaults).",
            DefaultValueFactory = _ => LadderSettings.Default,
        };
        var unit = new Option<string>("--distance-unit")
        {
            Description = "Unit of Stage 2's nearest-data distance per rung, rescaling μ: none, nn (the data's median nearest-neighbour distance relative to 2-D), sqrt-d (√(d/2)), sqrt-nn (√ of nn: μ ∝ 1/m with squared distances).",
            DefaultValueFactory = _ => "none",
        };
        var scatteringUnit = new Option<string>("--scattering-unit")
        {
            Description = "Unit of the scattering term's data distances per rung, rescaling ν: none, nn, sqrt-d, sqrt-nn.",
            DefaultValueFactory = _ => "none",
        };
        var steps = new Option<int?>("--steps") { Description = "Training steps of each of the four stages (default: the settings' per stage)." };
        var divergence = new Option<string?>("--divergence")
        {
            Description = "f-divergence of the stages: " + string.Join(", ", Enum.GetValues<Divergence>().Select(d => d.CliName())) + ".",
        };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Adam learning rate of all four stages (default: the settings', 1e-3)." };
        var scorerDivergence = new Option<string?>("--scorer-divergence") { Description = "f-divergence of Stage 4 (default: the settings')." };
        var mu = new Option<double?>("--mu") { Description = "Stage 2 weight μ of the nearest-data term (at d = 2 when --distance-unit rescales it)." };
        var nu = new Option<double?>("--nu") { Description = "Stage 2 weight ν of the scattering term (at d = 2 when --distance-unit rescales it)." };
        var zeta = new Option<double?>("--zeta") { Description = "Stage 4 weight ζ of real data on the scorer's normal side." };
        var scorerStart = new Option<string?>("--scorer-init") { Description = "Where the scorer starts: fresh, or stage3 (−D′)." };
        var latent = new Option<int?>("--latent") { Description = "Latent size at every rung (default: the settings'; toy: the feature count)." };
        var width = new Option<int?>("--width") { Description = "Hidden units per layer of the MLP networks (default 64)." };
        var trainingSize = new Option<int?>("--train-size") { Description = "Normal training points per rung (default 4096)." };
        var testSize = new Option<int?>("--test-size") { Description = "Held-out normal test points per rung (default 2000); anomalies scale with it." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/ladder-<time>)." };
        var command = new Command("ladder", "Fit the detector and kNN on synthetic data at growing dimension d and write AUROC and diagnostics per rung.")
        {
            variants, dims, seeds, embed, embedNoise, settings, unit, scatteringUnit, steps, learningRate, divergence, scorerDivergence, mu, nu, zeta, scorerStart,
            latent, width, trainingSize, testSize, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string settingsName = parse.GetValue(settings)!.Trim().ToLowerInvariant();
            OmasganOptions detector = DetectorOptions.WithChanges(LadderSettings.Get(settingsName), parse.GetValue(divergence),
                parse.GetValue(scorerDivergence), parse.GetValue(learningRate), parse.GetValue(steps));
            if (parse.GetValue(latent) is int l)
                detector = detector with { LatentDim = l };
            if (parse.GetValue(width) is int w)
                detector = detector with { Architecture = detector.Architecture is MlpArchitecture mlp ? mlp with { HiddenWidth = w } : detector.Architecture };
            if (parse.GetValue(scorerStart) is string start)
                detector = detector with { Scorer = detector.Scorer with { Initialization = DetectorOptions.Lookup(DetectorOptions.ScorerStarts, start, "--scorer-init") } };
            detector = detector with
            {
                Boundary = detector.Boundary with
                {
                    NearestDataWeight = parse.GetValue(mu) ?? detector.Boundary.NearestDataWeight,
                    ScatteringWeight = parse.GetValue(nu) ?? detector.Boundary.ScatteringWeight,
                },
                Scorer = detector.Scorer with { Zeta = parse.GetValue(zeta) ?? detector.Scorer.Zeta },
            };
            var options = new LadderExperimentOptions
            {
                Variants = ParseVariants(parse.GetValue(variants)!),
                Dimensions = LooCommand.ParseList(parse.GetValue(dims)!, "--dims"),
                Seeds = LooCommand.ParseList(parse.GetValue(seeds)!, "--seeds"),
                EmbedDimension = parse.GetValue(embed),
                Settings = settingsName,
                DistanceUnit = DetectorOptions.Lookup(Units, parse.GetValue(unit)!, "--distance-unit"),
                ScatteringUnit = DetectorOptions.Lookup(Units, parse.GetValue(scatteringUnit)!, "--scattering-unit"),
                Detector = detector,
            };
            if (parse.GetValue(embedNoise) is double noise)
                options = options with { EmbedNoise = noise };
            if (parse.GetValue(trainingSize) is int train)
                options = options with { TrainingSize = train };
            if (parse.GetValue(testSize) is int test)
            {
                // Anomalies in the default proportions: 1,000 box + 200 gap, or 1,000 of the left-out cluster, per 2,000 normal.
                options = options with
                {
                    NormalTestSize = test, BoxAnomalies = Math.Max(1, test / 2), GapAnomalies = test / 10,
                    ClusterAnomalies = Math.Max(1, test / 2), BoundarySamples = Math.Max(2, test),
                };
            }
            options.Validate();

            string runDirectory = parse.GetValue(output) ?? Path.Combine("runs", $"ladder-{DateTime.Now:yyyyMMdd-HHmmss}");
            AnsiConsole.MarkupLine($"[bold]OMASGAN dimension ladder[/] · {options.Variants.Count} variant(s) × {options.Dimensions.Count} d × " +
                $"{options.Seeds.Count} seed(s) · settings {Markup.Escape(settingsName)} · units {options.DistanceUnit}/{options.ScatteringUnit} · run folder [blue]{Markup.Escape(runDirectory)}[/]");
            LadderResult result = LadderExperiment.Run(options, runDirectory, line => AnsiConsole.WriteLine(line));
            AnsiConsole.MarkupLine($"{result.Rows.Count} fits in {result.TotalSeconds:F0} s; report.md, ladder.csv, ladder.json and the plots are in the run folder.");
            Console.WriteLine(result.RunDirectory);
            return 0;
        }));
        return command;
    }

    private static LadderVariant[] ParseVariants(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
            throw new ArgumentException("--variants needs at least one of modes, clusters.");
        return names.Select(n => Enum.TryParse(n, ignoreCase: true, out LadderVariant v) && Enum.IsDefined(v) && !int.TryParse(n, out _) ? v
            : throw new ArgumentException($"--variants: '{n}' is not one of modes, clusters.")).Distinct().ToArray();
    }
}
