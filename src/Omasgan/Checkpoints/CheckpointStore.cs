using System.Runtime.InteropServices;
using System.Text.Json;
using Omasgan.Detection;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Checkpoints;

/// <summary>The JSON half of a checkpoint: what was trained, how far, and the hash of the state file.</summary>
public sealed record CheckpointManifest : ISealedManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required OmasganOptions Options { get; init; }
    public required long[] SampleShape { get; init; }
    public required int LatentDim { get; init; }
    public FeatureScaling? Scaling { get; init; }
    /// <summary>The stage the checkpoint was taken in and the steps of it done.</summary>
    public required OmasganStage Stage { get; init; }
    public required int Step { get; init; }
    /// <summary>SHA-256 of the normal training data as float32, so a resume on other data is refused.</summary>
    public required string DataSha256 { get; init; }
    /// <summary>The binary state: all networks, the stage's optimisers, the random generator.</summary>
    public required string StateFile { get; init; }
    public required string StateSha256 { get; init; }
    /// <summary>
    /// Factors on the learning rates of <see cref="Options"/> from rollbacks so far, per stage (absent: 1).
    /// <see cref="Options"/> stay the options the run was started with, so a resume with them is accepted.
    /// </summary>
    public IReadOnlyDictionary<OmasganStage, double> LearningRateFactors { get; init; } = new Dictionary<OmasganStage, double>();
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public DateTime SavedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>SHA-256 of the manifest file as written, with this field empty (see <see cref="Manifests"/>).</summary>
    public string ContentSha256 { get; init; } = "";
}

/// <summary>
/// Saves and restores training progress. A checkpoint is a state file (networks, optimiser states,
/// random generator state) under a name unique to its stage and step, then a manifest that names it,
/// each written to a temporary file, flushed and renamed: the manifest is the commit point, so a
/// run killed at any moment leaves the previous complete checkpoint readable.
/// </summary>
internal sealed class CheckpointStore : IStageCheckpoints
{
    public const string ManifestFileName = "checkpoint.json";

    private readonly CheckpointOptions options;
    private readonly OmasganNetworks networks;
    private readonly Func<OmasganStage, int, CheckpointManifest> describe;
    private (CheckpointManifest Manifest, MemoryStream Remainder)? pending;

    /// <param name="resume">a loaded checkpoint whose networks are already in <paramref name="networks"/>.</param>
    public CheckpointStore(CheckpointOptions options, OmasganNetworks networks,
        Func<OmasganStage, int, CheckpointManifest> describe, (CheckpointManifest, MemoryStream)? resume)
    {
        this.options = options;
        this.networks = networks;
        this.describe = describe;
        pending = resume;
        Directory.CreateDirectory(options.Directory);
    }

    public int Restore(OmasganStage stage, IReadOnlyList<optim.Optimizer> optimizers)
    {
        if (pending is not var (manifest, remainder))
            return 0;
        if (stage < manifest.Stage)
            return int.MaxValue;
        using var reader = new BinaryReader(remainder, System.Text.Encoding.UTF8, leaveOpen: false);
        int count = reader.ReadInt32();
        if (count != optimizers.Count)
            throw new InvalidDataException($"{Path.Combine(options.Directory, manifest.StateFile)}: {count} optimiser states for a stage with {optimizers.Count} optimisers.");
        foreach (optim.Optimizer optimizer in optimizers)
        {
            // A loaded state brings back the learning rate it was saved with; keep the one the
            // optimiser was built with (after a rollback, the lowered one).
            double[] rates = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
            Stateful(optimizer).load_state_dict(reader);
            foreach (var (group, rate) in optimizer.ParamGroups.Zip(rates))
                (group.LearningRate, group.InitialLearningRate) = (rate, rate);
        }
        byte[] rng = reader.ReadBytes(reader.ReadInt32());
        using (var state = tensor(rng, dtype: ScalarType.Byte))
            random.set_rng_state(state);
        pending = null;
        return manifest.Step;
    }

    public void Completed(OmasganStage stage, int step, int steps, IReadOnlyList<optim.Optimizer> optimizers)
    {
        if (step % options.Interval == 0 || step == steps)
            Save(stage, step, optimizers);
    }

    private void Save(OmasganStage stage, int step, IReadOnlyList<optim.Optimizer> optimizers)
    {
        string stateFile = $"state-{(int)stage}-{step:D8}.bin";
        string statePath = Path.Combine(options.Directory, stateFile);
        AtomicFile.Write(statePath, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            networks.save(writer);
            writer.Write(optimizers.Count);
            foreach (optim.Optimizer optimizer in optimizers)
                Stateful(optimizer).save_state_dict(writer);
            using Tensor rng = random.get_rng_state();
            byte[] bytes = rng.data<byte>().ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        });
        CheckpointManifest manifest = describe(stage, step) with { StateFile = stateFile, StateSha256 = Hashes.OfFile(statePath) };
        Manifests.Write(Path.Combine(options.Directory, ManifestFileName), manifest);
        foreach (string old in Directory.EnumerateFiles(options.Directory, "state-*.bin"))
            if (!string.Equals(Path.GetFileName(old), stateFile, StringComparison.Ordinal))
                File.Delete(old);
    }

    /// <summary>The manifest of the checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    /// <exception cref="ModelLoadException">the checkpoint is unreadable, altered or of a newer format.</exception>
    public static CheckpointManifest? ReadManifest(string directory)
    {
        string path = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(path))
            return null;
        var manifest = Manifests.Read<CheckpointManifest>(path, "checkpoint manifest", CheckpointManifest.CurrentFormatVersion);
        if (manifest.StateFile.Contains('/') || manifest.StateFile.Contains('\\'))
            throw new ModelLoadException($"{path}: the state file must lie beside the manifest.");
        return manifest;
    }

    /// <summary>Loads the networks of a checkpoint and returns the rest of its state.</summary>
    public static MemoryStream LoadState(string directory, CheckpointManifest manifest, OmasganNetworks networks)
    {
        string statePath = Path.Combine(directory, manifest.StateFile);
        if (!File.Exists(statePath))
            throw new ModelLoadException($"{statePath}: the checkpoint's state file is missing.");
        byte[] bytes = File.ReadAllBytes(statePath);
        if (!Hashes.Same(Hashes.Of(bytes), manifest.StateSha256))
            throw new ModelLoadException($"{statePath}: the state does not match the checkpoint's SHA-256 (altered or truncated).");
        var stream = new MemoryStream(bytes, writable: false);
        try
        {
            using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                networks.load(reader, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelLoadException($"{statePath}: the networks do not fit the checkpoint's manifest ({e.Message}).", e);
        }
        return stream;
    }

    private static TorchSharp.Modules.OptimizerHelper Stateful(optim.Optimizer optimizer) =>
        optimizer as TorchSharp.Modules.OptimizerHelper
        ?? throw new InvalidOperationException($"{optimizer.GetType().Name} cannot save its state.");

    /// <summary>SHA-256 of a float32 tensor's values, as hex.</summary>
    public static string Fingerprint(Tensor data)
    {
        using Tensor contiguous = data.to_type(ScalarType.Float32).contiguous();
        float[] values = contiguous.data<float>().ToArray();
        return Hashes.Of(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
