using System.CommandLine;
using Omasgan.Checkpoints;
using Omasgan.Detection;
using Omasgan.Divergences;
using Omasgan.Experiments;
using Omasgan.Networks;

namespace Omasgan.Cli;

/// <summary>The options of <c>train</c> and <c>loo</c> that choose and change an image preset, and checkpointing.</summary>
internal sealed class DetectorOptions
{
    public readonly Option<string?> Preset = new("--preset")
    {
        Description = $"Detector settings: {string.Join(", ", ImagePresets.Names)} (default {ImagePresets.Cpu} for --model dcgan, {ImagePresets.CpuKlWgan} for klwgan; cpu*: sized for a CPU; paper*: the original's network sizes; {ImagePresets.CpuPca}: MLPs on each image's {ImagePresets.PcaComponents} leading principal components).",
    };
    public readonly Option<string?> Model = new("--model")
    {
        Description = $"Model family: {ImagePresets.DcganModel} (f-GAN losses on DCGAN networks, default), {ImagePresets.KlWganModel} (the KL-WGAN loss on BigGAN-style networks) or {ImagePresets.PcaModel} (not in the original: MLPs on the images' principal components); default: the preset's.",
    };
    public readonly Option<int?> Steps = new("--steps") { Description = "Training steps of each of the four stages (default: the preset's per stage)." };
    public readonly Option<string?> StageSteps = new("--stage-steps")
    {
        Description = "Training steps of stages 1–4 in turn, comma-separated (e.g. 700,200,200,600; default: the preset's).",
    };
    public readonly Option<string?> Divergence = new("--divergence")
    {
        Description = "f-divergence of the stages: " + string.Join(", ", Enum.GetValues<Divergence>().Select(d => d.CliName())) + " (default pearson).",
    };
    public readonly Option<string?> ScorerDivergence = new("--scorer-divergence")
    {
        Description = "f-divergence of Stage 4, the scorer (default: the preset's; cpu: gan, paper: that of --divergence).",
    };
    public readonly Option<double?> LearningRate = new("--learning-rate") { Description = "Adam learning rate of all four stages (preset cpu: 2e-4, paper: 1e-3)." };
    public readonly Option<double?> Mu = new("--mu") { Description = "Stage 2 weight μ of the nearest-data term." };
    public readonly Option<double?> Nu = new("--nu") { Description = "Stage 2 weight ν of the scattering term." };
    public readonly Option<string?> Scattering = new("--scattering")
    {
        Description = "Not in the original method: what Stage 2's scattering term compares, plain (the original's, default) or shape: images with their brightness rescaled to the batch's mean, so samples that differ only in brightness do not count as spread.",
    };
    public readonly Option<string?> BoundaryBrightness = new("--boundary-brightness")
    {
        Description = "Not in the original method: how Stages 2–4 see the boundary samples, free (as drawn, the original's, default) or data: each image rescaled to the brightness of a training image drawn at random, so that B cannot leave the data by dimming it.",
    };
    public readonly Option<string?> BoundaryDiscriminator = new("--boundary-discriminator")
    {
        Description = "Not in the original method: Stage 2's discriminator, trained (it keeps learning B's samples as fakes, the original's, default) or frozen (held as Stage 1 left it).",
    };
    /// <summary>An option of two named values: false for <paramref name="off"/>, true for <paramref name="on"/> (any case), null when not given.</summary>
    /// <exception cref="ArgumentException">another value; the message lists both.</exception>
    static bool? Choice(ParseResult parse, Option<string?> option, string off, string on) =>
        parse.GetValue(option) is string text ? Lookup(new Dictionary<string, bool> { [off] = false, [on] = true }, text, option.Name) : null;

    /// <summary>The value named <paramref name="text"/> (any case) in <paramref name="names"/>.</summary>
    /// <exception cref="ArgumentException">no such name; the message lists them.</exception>
    internal static T Lookup<T>(Dictionary<string, T> names, string text, string option) =>
        names.TryGetValue(text.Trim().ToLowerInvariant(), out T? value) ? value
        : throw new ArgumentException($"{option}: '{text}' is not one of {string.Join(", ", names.Keys)}.");

    /// <summary>The scorer's starts by name.</summary>
    internal static readonly Dictionary<string, Stages.ScorerInitialization> ScorerStarts = new()
    {
        ["fresh"] = Stages.ScorerInitialization.Fresh,
        ["stage3"] = Stages.ScorerInitialization.NegatedStage3Discriminator,
    };
    public readonly Option<string?> ScorerStart = new("--scorer-init") { Description = "Where Stage 4's scorer starts: fresh, or stage3 (−D′, the vector preset's)." };
    public readonly Option<double?> NoiseShare = new("--scorer-noise")
    {
        Description = "Not in the original method: the share (0–0.95) of Stage 4's anomalous side taken by training samples moved in random directions (Gaussian, --scorer-noise-scale per feature) instead of boundary samples (default 0).",
    };
    public readonly Option<double?> NoiseScale = new("--scorer-noise-scale") { Description = "Standard deviation of --scorer-noise's moves per input feature (default 1)." };
    public readonly Option<string?> FeatureScale = new("--feature-scale")
    {
        Description = "Not in the original method: how standardised features are scaled, each (to unit variance, default) or shared (all by one factor, keeping their relative spread; with the pca model, the leading components stay the widest).",
    };
    public readonly Option<double?> Zeta = new("--zeta") { Description = "Stage 4 weight ζ of real data (vs Stage 3's generator samples) on the scorer's normal side (0–1)." };
    public readonly Option<double?> Width = new("--width") { Description = "Width multiplier of the networks (presets cpu*: 0.25, paper*: 1)." };
    public readonly Option<string?> Normalization = new("--normalization")
    {
        Description = "Normalisation in D, D′ and S: batch (the original's, default), none, layer or spectral.",
    };
    public readonly Option<string?> Upsampling = new("--upsampling")
    {
        Description = "Upsampling in the generators: transposed (4×4 transposed convolutions, the original's, default) or nearest (nearest-neighbour, then a 3×3 convolution).",
    };
    public readonly Option<string?> DataDirectory = new("--data-dir") { Description = "Folder of the dataset's files (default: $OMASGAN_DATA/NAME, /usr/share/datasets/NAME, ~/.omasgan/data/NAME)." };
    public readonly Option<bool> TensorBoard = new("--tensorboard") { Description = "Also write the losses as TensorBoard event files in each run folder's tensorboard/." };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every")
    {
        Description = "Steps between checkpoints in a run folder's checkpoints/ (each stage also saves at its end).",
        DefaultValueFactory = _ => CheckpointOptions.DefaultInterval,
    };
    public readonly Option<string?> Device = new("--device")
    {
        Description = "Where OMASGAN's networks train and score: cpu (default) or cuda, cuda:N. The omasgan tool carries the CPU build of libtorch, so cuda needs a build with a CUDA libtorch (untested).",
    };
    public readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in --out from its last complete checkpoint, with its own settings." };

    /// <summary>Options that change the settings, refused with --resume.</summary>
    public Option[] Changing => [Preset, Model, Steps, StageSteps, Divergence, ScorerDivergence, LearningRate, Mu, Nu, Scattering, BoundaryBrightness, BoundaryDiscriminator, Zeta, ScorerStart, NoiseShare, NoiseScale, FeatureScale, Width, Normalization, Upsampling];

    /// <summary>Options that change only the convolutional image networks, refused where the networks are MLPs.</summary>
    Option[] ConvolutionOnly => [Width, Normalization, Upsampling, Scattering, BoundaryBrightness];

    public IEnumerable<Option> All => [.. Changing, DataDirectory, TensorBoard, CheckpointEvery, Device, Resume];

    /// <summary>The --device value, checked against what this build of libtorch can use.</summary>
    public string? DeviceName(ParseResult parse)
    {
        string? name = parse.GetValue(Device)?.Trim().ToLowerInvariant();
        if (name is null or "cpu") return name;
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^cuda(:[0-9]+)?$"))
            throw new ArgumentException($"--device {name}: use cpu, cuda or cuda:N.");
        if (!TorchSharp.torch.cuda.is_available())
            throw new ArgumentException($"--device {name}: CUDA is not available here (this build carries the CPU libtorch).");
        return name;
    }

    /// <summary>The preset named by --preset, or --model's default; a preset of another model than --model is refused.</summary>
    public string PresetName(ParseResult parse)
    {
        string? model = parse.GetValue(Model)?.Trim().ToLowerInvariant();
        if (model is not null && !ImagePresets.Models.Contains(model))
            throw new ArgumentException($"--model {model}: use one of {string.Join(", ", ImagePresets.Models)}.");
        string? preset = parse.GetValue(Preset)?.Trim().ToLowerInvariant();
        if (preset is null)
            return ImagePresets.DefaultFor(model ?? ImagePresets.DcganModel);
        ImagePresets.Get(preset); // an unknown name fails here
        if (model is not null && ImagePresets.Model(preset) != model)
            throw new ArgumentException($"--preset {preset} is a {ImagePresets.Model(preset)} preset; with --model {model} use one of {string.Join(", ", ImagePresets.Names.Where(n => ImagePresets.Model(n) == model))}.");
        return preset;
    }

    /// <summary>The preset for rows of features: --preset must name it, if given; image-only options are refused.</summary>
    public string VectorPresetName(ParseResult parse)
    {
        string? preset = parse.GetValue(Preset)?.Trim().ToLowerInvariant();
        if (preset is not null && preset != VectorPreset.Name)
            throw new ArgumentException($"--preset {preset} is for pixels; rows of features (tables, embeddings) take the {VectorPreset.Name} preset.");
        if (parse.FirstTyped(ConvolutionOnly.Prepend(Model)) is { } imageOnly)
            throw new ArgumentException($"{imageOnly.Name} is for image models; rows of features (tables, embeddings) use the {VectorPreset.Name} preset's MLPs.");
        return VectorPreset.Name;
    }

    /// <summary>The vector preset for <paramref name="features"/> features with the command line's changes.</summary>
    public OmasganOptions BuildVector(ParseResult parse, int features)
    {
        VectorPresetName(parse);
        OmasganOptions o = WithChanges(VectorPreset.For(features), parse.GetValue(Divergence), parse.GetValue(ScorerDivergence),
            parse.GetValue(LearningRate), parse.GetValue(Steps));
        return WithWeights(o, parse);
    }

    /// <summary>The preset's options with the command line's changes.</summary>
    public OmasganOptions Build(ParseResult parse)
    {
        OmasganOptions o = WithChanges(ImagePresets.Get(PresetName(parse)), parse.GetValue(Divergence), parse.GetValue(ScorerDivergence),
            parse.GetValue(LearningRate), parse.GetValue(Steps));
        if (o.Architecture is MlpArchitecture
            && parse.FirstTyped(ConvolutionOnly) is { } convolutional)
            throw new ArgumentException($"{convolutional.Name} changes the image networks; the {ImagePresets.PcaModel} model trains the vector preset's MLPs on principal components.");
        if (o.Architecture is BigGanArchitecture biggan)
        {
            if (parse.FirstTyped(Normalization, Upsampling) is { } dcganOnly)
                throw new ArgumentException($"{dcganOnly.Name} changes the DCGAN networks; the {ImagePresets.KlWganModel} model's are fixed (spectral norm in D, nearest upsampling in G).");
            o = o with { Architecture = biggan with { WidthMultiplier = parse.GetValue(Width) ?? biggan.WidthMultiplier } };
        }
        // −1: the generators' darkest output (tanh), the images' background.
        if (Choice(parse, Scattering, "plain", "shape") is bool shape)
            o = o with { Boundary = o.Boundary with { ScatteringShapeReference = shape ? -1 : null } };
        if (Choice(parse, BoundaryBrightness, "free", "data") is bool matched)
            o = o with { Boundary = o.Boundary with { MatchedBrightnessReference = matched ? -1 : null } };
        if (o.Architecture is DcganArchitecture dcgan)
        {
            o = o with
            {
                Architecture = dcgan with
                {
                    WidthMultiplier = parse.GetValue(Width) ?? dcgan.WidthMultiplier,
                    Normalization = ParseName(parse.GetValue(Normalization), "--normalization", dcgan.Normalization),
                    Upsampling = ParseName(parse.GetValue(Upsampling), "--upsampling", dcgan.Upsampling),
                },
            };
        }
        return WithWeights(o, parse);
    }

    /// <summary>The options with --stage-steps, --mu, --nu, --boundary-discriminator and the scorer's --zeta, --scorer-noise, --scorer-noise-scale and --scorer-init where given, validated.</summary>
    OmasganOptions WithWeights(OmasganOptions o, ParseResult parse)
    {
        if (parse.GetValue(StageSteps) is string perStage)
        {
            if (parse.GetValue(Steps) is not null)
                throw new ArgumentException("--steps and --stage-steps both set the stages' steps; give one.");
            int[] n = ParseStageSteps(perStage);
            o = o.WithStageSteps(n[0], n[1], n[2], n[3]);
        }
        o = o with
        {
            SharedScale = Choice(parse, FeatureScale, "each", "shared") ?? o.SharedScale,
            Boundary = o.Boundary with
            {
                NearestDataWeight = parse.GetValue(Mu) ?? o.Boundary.NearestDataWeight,
                ScatteringWeight = parse.GetValue(Nu) ?? o.Boundary.ScatteringWeight,
                FrozenDiscriminator = Choice(parse, BoundaryDiscriminator, "trained", "frozen") ?? o.Boundary.FrozenDiscriminator,
            },
            Scorer = o.Scorer with
            {
                Zeta = parse.GetValue(Zeta) ?? o.Scorer.Zeta,
                NoiseShare = parse.GetValue(NoiseShare) ?? o.Scorer.NoiseShare,
                NoiseScale = parse.GetValue(NoiseScale) ?? o.Scorer.NoiseScale,
                Initialization = parse.GetValue(ScorerStart) is string start ? Lookup(ScorerStarts, start, ScorerStart.Name) : o.Scorer.Initialization,
            },
        };
        o.Validate();
        return o;
    }

    // Not LooCommand.ParseList: that one drops repeated numbers, and stages may share a step count.
    static int[] ParseStageSteps(string value)
    {
        string[] parts = value.Split(',', StringSplitOptions.TrimEntries);
        var steps = parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 ? n : -1).ToArray();
        if (parts.Length != 4 || steps.Any(n => n < 0))
            throw new ArgumentException($"--stage-steps {value}: give four positive whole numbers, stages 1–4 in turn (e.g. 700,200,200,600).");
        return steps;
    }

    /// <summary>The enumeration value named <paramref name="value"/> (any case), or <paramref name="fallback"/> when none is given.</summary>
    static T ParseName<T>(string? value, string option, T fallback) where T : struct, Enum
    {
        if (value is null) return fallback;
        if (Enum.TryParse(value, ignoreCase: true, out T parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
            return parsed;
        throw new ArgumentException($"{option} {value}: use one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }

    /// <summary>Refuses options that would change a run being resumed.</summary>
    public void CheckResume(ParseResult parse, Option<string?> output, params Option[] more)
    {
        if (!parse.GetValue(Resume)) return;
        if (parse.GetValue(output) is null)
            throw new ArgumentException("--resume needs --out, the run folder to continue.");
        if (parse.FirstTyped(Changing.Concat(more)) is { } given)
            throw new ArgumentException($"--resume continues with the run's own settings; {given.Name} cannot change them.");
    }

    /// <summary>Options with the changes every training command offers, each where given: divergence, Stage 4's divergence, learning rate, steps per stage.</summary>
    public static OmasganOptions WithChanges(OmasganOptions o, string? divergence, string? scorerDivergence, double? learningRate, int? steps)
    {
        if (divergence is not null)
            o = o with { Divergence = DivergenceFunctions.Parse(divergence) };
        if (scorerDivergence is not null)
            o = o with { Scorer = o.Scorer with { Divergence = DivergenceFunctions.Parse(scorerDivergence) } };
        if (learningRate is double rate)
            o = o.WithLearningRate(rate);
        if (steps is int n)
            o = o.WithStepsPerStage(n);
        return o;
    }
}
