using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// A labelled set of samples: images, a uint8 tensor (N, C, H, W) on the CPU holding the values 0..255
/// as stored, or rows of a table, a float32 tensor (N, F) on the CPU. <c>Labels[i]</c> is the class of sample i.
/// </summary>
public sealed class SampleSet : IDisposable
{
    /// <summary>A set that owns <paramref name="samples"/> (disposed with the set).</summary>
    /// <exception cref="ArgumentException">samples is neither a 4-D uint8 nor a 2-D float32 CPU tensor, or the label count differs from N.</exception>
    public SampleSet(Tensor samples, int[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        bool images = samples.dim() == 4 && samples.dtype == ScalarType.Byte, rows = samples.dim() == 2 && samples.dtype == ScalarType.Float32;
        if (!(images || rows) || samples.device_type != DeviceType.CPU)
            throw new ArgumentException($"samples must be a 4-D uint8 (N, C, H, W) or a 2-D float32 (N, F) CPU tensor; got {samples.dtype} [{string.Join(", ", samples.shape)}] on {samples.device}.", nameof(samples));
        if (labels.Length != samples.shape[0])
            throw new ArgumentException($"{labels.Length} labels for {samples.shape[0]} samples.", nameof(labels));
        Samples = samples;
        Labels = labels;
        Source = source;
    }

    /// <summary>The samples: uint8 images (N, C, H, W) or float32 rows (N, F), on the CPU.</summary>
    public Tensor Samples { get; }

    /// <summary>True for images, false for rows of features.</summary>
    public bool IsImages => Samples.dim() == 4;

    /// <summary>The class of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>What was read, for people: a file, a folder or a dataset name and split.</summary>
    public string Source { get; }

    /// <summary>The number of samples, N.</summary>
    public long Count => Samples.shape[0];

    /// <summary>The shape of one sample, [C, H, W] or [F] (a new array on each call).</summary>
    public long[] SampleShape => Samples.shape[1..];

    /// <summary>A new set holding copies of the samples whose label passes <paramref name="keepLabel"/>, in order; same source.</summary>
    public SampleSet Where(Func<int, bool> keepLabel)
    {
        ArgumentNullException.ThrowIfNull(keepLabel);
        return Where((label, _) => keepLabel(label));
    }

    /// <summary>
    /// A new set holding copies of the samples for which <paramref name="keep"/>(label, index) holds, in
    /// order; its source names <paramref name="part"/> when given.
    /// </summary>
    public SampleSet Where(Func<int, int, bool> keep, string? part = null)
    {
        ArgumentNullException.ThrowIfNull(keep);
        long[] kept = Enumerable.Range(0, Labels.Length).Where(i => keep(Labels[i], i)).Select(i => (long)i).ToArray();
        using Tensor index = tensor(kept, ScalarType.Int64);
        return new SampleSet(Samples.index_select(0, index), kept.Select(i => Labels[i]).ToArray(), part is null ? Source : $"{Source} ({part})");
    }

    /// <summary>
    /// Splits the set in two without shuffling: of each class's samples, the last
    /// ⌊<paramref name="fraction"/> × count⌉ (in order of index) go to <c>HeldOut</c>, the others to
    /// <c>Kept</c>. Both are new sets (copies) whose sources say which part they are.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">fraction is not in (0, 1).</exception>
    public (SampleSet Kept, SampleSet HeldOut) SplitPerClass(double fraction)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The held-out fraction must be in (0, 1).");
        var heldOut = new bool[Labels.Length];
        foreach (var group in Enumerable.Range(0, Labels.Length).GroupBy(i => Labels[i]))
        {
            int[] indices = group.ToArray();
            int count = (int)Math.Round(fraction * indices.Length, MidpointRounding.AwayFromZero);
            foreach (int i in indices[^count..])
                heldOut[i] = true;
        }
        SampleSet Take(bool held, string part)
        {
            long[] rows = Enumerable.Range(0, Labels.Length).Where(i => heldOut[i] == held).Select(i => (long)i).ToArray();
            using Tensor index = tensor(rows, ScalarType.Int64);
            return new SampleSet(Samples.index_select(0, index), rows.Select(i => Labels[i]).ToArray(), $"{Source} ({part})");
        }
        return (Take(false, "kept part"), Take(true, "held-out part"));
    }

    /// <summary>Frees the sample tensor.</summary>
    public void Dispose() => Samples.Dispose();
}
