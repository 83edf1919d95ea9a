using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Omasgan.Data;
using TorchSharp;

namespace Omasgan.Detection;

/// <summary>A saved model that cannot be loaded; the message names the file and the problem.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What is saved beside the weights: enough to rebuild the networks and check the weights.</summary>
public sealed record ModelManifest : ISealedManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required OmasganOptions Options { get; init; }
    public required long[] SampleShape { get; init; }
    public required int LatentDim { get; init; }
    public required string WeightsSha256 { get; init; }
    /// <summary>Quantiles 0, 0.001, …, 1 of the scorer's scores on the normal training data.</summary>
    public required double[] TrainingScoreQuantiles { get; init; }
    /// <summary>The share of the training data above the threshold fixed at fit time (absent in models saved before it was: the default).</summary>
    public double Contamination { get; init; } = ScoreThreshold.DefaultContamination;
    /// <summary>The input pipeline's feature scaling.</summary>
    public FeatureScaling? Scaling { get; init; }
    /// <summary>The input pipeline's image preparation: the raw images the detector takes (image detectors only).</summary>
    public ImageInput? Input { get; init; }
    /// <summary>The input pipeline's projection onto principal components (detectors fitted with <see cref="OmasganOptions.PrincipalComponents"/> only).</summary>
    public PrincipalComponents? Projection { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public DateTime SavedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>SHA-256 of the manifest file as written, with this field empty (see <see cref="Manifests"/>).</summary>
    public string ContentSha256 { get; init; } = "";
}

public sealed partial class OmasganDetector
{
    public const string ManifestFileName = "manifest.json";
    public const string WeightsFileName = "weights.bin";

    /// <summary>JSON settings of every file the project writes: indented, snake_case names, enums by name.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
    };

    /// <summary>
    /// Versions of the library, TorchSharp and libtorch, the CPU kernel paths (<see cref="KernelPaths"/>)
    /// and libtorch's thread count: what decides a seed's numbers besides the options, as recorded in manifests.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LibraryVersions => new Dictionary<string, string>(KernelPaths.Current)
    {
        ["omasgan"] = InformationalVersion(typeof(OmasganDetector).Assembly),
        ["torchsharp"] = InformationalVersion(typeof(torch).Assembly),
        ["libtorch"] = torch.__version__,
        ["threads"] = torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Saves the weights and a JSON manifest into <paramref name="directory"/>. Each file is written
    /// to a temporary name and renamed, so an interrupted save never leaves a half-written model.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        string weights = Path.Combine(directory, WeightsFileName);
        AtomicFile.Write(weights, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            networks.save(writer);
        });
        var manifest = new ModelManifest
        {
            Options = Options,
            SampleShape = SampleShape,
            LatentDim = LatentDim,
            WeightsSha256 = Hashes.OfFile(weights),
            TrainingScoreQuantiles = Threshold.TrainingQuantiles,
            Contamination = Threshold.Contamination,
            Scaling = Input.Scaling,
            Input = Input.Image,
            Projection = Input.Projection,
            Versions = LibraryVersions,
        };
        Manifests.Write(Path.Combine(directory, ManifestFileName), manifest);
    }

    /// <summary>Loads a detector saved by <see cref="Save"/>.</summary>
    /// <exception cref="ModelLoadException">a file is missing, unreadable, altered or of a newer format.</exception>
    public static OmasganDetector Load(string directory)
    {
        string manifestPath = Path.Combine(directory, ManifestFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(manifestPath))
            throw new ModelLoadException($"{manifestPath}: no model manifest here.");
        if (!File.Exists(weightsPath))
            throw new ModelLoadException($"{weightsPath}: the weights file is missing.");

        ModelManifest manifest = Manifests.Read<ModelManifest>(manifestPath, "model manifest", ModelManifest.CurrentFormatVersion);
        if (!Hashes.Same(Hashes.OfFile(weightsPath), manifest.WeightsSha256))
            throw new ModelLoadException($"{weightsPath}: the weights do not match the manifest's SHA-256 (altered or truncated).");
        try
        {
            manifest.Options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelLoadException($"{manifestPath}: invalid options ({e.Message}).", e);
        }

        if (manifest.SampleShape.Length == 0 || manifest.SampleShape.Any(d => d < 1 || d > 1 << 20) || manifest.LatentDim is < 1 or > 4096)
            throw new ModelLoadException($"{manifestPath}: invalid sample shape [{string.Join(", ", manifest.SampleShape)}] or latent size {manifest.LatentDim}.");
        long features = manifest.SampleShape.Aggregate(1L, (a, b) => a * b);
        if (manifest.Scaling is { } scaling && (scaling.Mean.Length != features || scaling.Std.Length != features))
            throw new ModelLoadException($"{manifestPath}: the feature scaling does not fit samples of shape [{string.Join(", ", manifest.SampleShape)}].");

        // The file holds seven networks (three generators, four discriminators), so one of each must fit
        // in it; a manifest declaring more is refused before anything is allocated.
        long declared;
        try
        {
            declared = manifest.Options.Architecture.ParameterCount(manifest.LatentDim, manifest.SampleShape);
        }
        catch (OverflowException)
        {
            declared = long.MaxValue;
        }
        long weightsBytes = new FileInfo(weightsPath).Length;
        if (declared <= 0 || declared > weightsBytes / sizeof(float))
            throw new ModelLoadException($"{manifestPath}: the manifest declares networks of {declared} parameters, more than {weightsPath} ({weightsBytes} bytes) holds.");

        OmasganNetworks? networks = null;
        try
        {
            networks = OmasganNetworks.For(manifest.Options, manifest.LatentDim, manifest.SampleShape);
            networks.load(weightsPath, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            networks?.Dispose();
            throw new ModelLoadException($"{weightsPath}: the weights do not fit the manifest's networks ({e.Message}).", e);
        }
        PrincipalComponents? projection = manifest.Projection;
        if (projection is not null && (!projection.IsConsistent() || projection.Count != manifest.Options.PrincipalComponents
            || !manifest.SampleShape.SequenceEqual([(long)projection.Count])))
        {
            networks.Dispose();
            throw new ModelLoadException($"{manifestPath}: the principal components do not fit each other or samples of shape [{string.Join(", ", manifest.SampleShape)}].");
        }
        if (projection is null && manifest.Options.PrincipalComponents is not null)
        {
            networks.Dispose();
            throw new ModelLoadException($"{manifestPath}: the options project onto principal components, but the manifest has none.");
        }
        long[] imageShape = projection?.InputShape ?? manifest.SampleShape;
        if (manifest.Input is { } input && (input.Channels is not (1 or 3) || input.Height is < 1 or > 1 << 16
            || input.Width is < 1 or > 1 << 16 || !input.SampleShape.SequenceEqual(imageShape)))
        {
            networks.Dispose();
            throw new ModelLoadException($"{manifestPath}: the image input does not fit samples of shape [{string.Join(", ", manifest.SampleShape)}].");
        }
        if (manifest.Contamination is not (>= 0 and <= 1))
        {
            networks.Dispose();
            throw new ModelLoadException($"{manifestPath}: contamination {manifest.Contamination} is not a share in [0, 1].");
        }
        return new OmasganDetector(manifest.Options, new InputPipeline(manifest.Input, manifest.Scaling, projection), manifest.SampleShape,
            manifest.LatentDim, networks, new ScoreThreshold(manifest.Contamination, manifest.TrainingScoreQuantiles));
    }
}
