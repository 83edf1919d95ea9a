using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// A labelled set of images: <see cref="Images"/> is a uint8 tensor (N, C, H, W) on the CPU holding the
/// values 0..255 as stored; <c>Labels[i]</c> is the class of image i.
/// </summary>
public sealed class ImageSet : IDisposable
{
    /// <summary>A set that owns <paramref name="images"/> (disposed with the set).</summary>
    /// <exception cref="ArgumentException">images is not a 4-D uint8 CPU tensor, or the label count differs from N.</exception>
    public ImageSet(Tensor images, int[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        if (images.dim() != 4 || images.dtype != ScalarType.Byte || images.device_type != DeviceType.CPU)
            throw new ArgumentException($"images must be a 4-D uint8 CPU tensor (N, C, H, W); got {images.dtype} [{string.Join(", ", images.shape)}] on {images.device}.", nameof(images));
        if (labels.Length != images.shape[0])
            throw new ArgumentException($"{labels.Length} labels for {images.shape[0]} images.", nameof(labels));
        Images = images;
        Labels = labels;
        Source = source;
    }

    /// <summary>The images, uint8 (N, C, H, W) on the CPU.</summary>
    public Tensor Images { get; }

    /// <summary>The class of each image.</summary>
    public int[] Labels { get; }

    /// <summary>What was read, for people: a file, a folder or a dataset name and split.</summary>
    public string Source { get; }

    /// <summary>The number of images, N.</summary>
    public long Count => Images.shape[0];

    /// <summary>The shape of one image, [C, H, W] (a new array on each call).</summary>
    public long[] SampleShape => Images.shape[1..];

    /// <summary>A new set holding copies of the images whose label passes <paramref name="keepLabel"/>, in order; same source.</summary>
    public ImageSet Where(Func<int, bool> keepLabel)
    {
        ArgumentNullException.ThrowIfNull(keepLabel);
        long[] kept = Enumerable.Range(0, Labels.Length).Where(i => keepLabel(Labels[i])).Select(i => (long)i).ToArray();
        using Tensor index = tensor(kept, ScalarType.Int64);
        return new ImageSet(Images.index_select(0, index), kept.Select(i => Labels[i]).ToArray(), Source);
    }

    /// <summary>
    /// Splits the set in two without shuffling: of each class's images, the last
    /// ⌊<paramref name="fraction"/> × count⌉ (in order of index) go to <c>HeldOut</c>, the others to
    /// <c>Kept</c>. Both are new sets (copies) whose sources say which part they are.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">fraction is not in (0, 1).</exception>
    public (ImageSet Kept, ImageSet HeldOut) SplitPerClass(double fraction)
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
        ImageSet Take(bool held, string part)
        {
            long[] rows = Enumerable.Range(0, Labels.Length).Where(i => heldOut[i] == held).Select(i => (long)i).ToArray();
            using Tensor index = tensor(rows, ScalarType.Int64);
            return new ImageSet(Images.index_select(0, index), rows.Select(i => Labels[i]).ToArray(), $"{Source} ({part})");
        }
        return (Take(false, "kept part"), Take(true, "held-out part"));
    }

    /// <summary>Frees the image tensor.</summary>
    public void Dispose() => Images.Dispose();
}
