using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// The raw images a detector was trained on (channels and size, as stored: 0–255) and how they
/// become network input: scaled to [−1, 1] and resized to the networks' side (28×28 → 32×32).
/// Saved with the model, so scoring prepares new images exactly as training did.
/// </summary>
public sealed record ImageInput(int Channels, int Height, int Width, int ModelSize)
{
    /// <summary>The networks' sample shape, [channels, side, side].</summary>
    public long[] SampleShape => [Channels, ModelSize, ModelSize];

    /// <summary>The input description of <paramref name="images"/> (n, c, h, w) for networks of side <paramref name="modelSize"/>.</summary>
    public static ImageInput Of(SampleSet images, int modelSize) =>
        new((int)images.SampleShape[0], (int)images.SampleShape[1], (int)images.SampleShape[2], modelSize);

    /// <summary>
    /// Network input (n, c, side, side) in [−1, 1] from uint8 images (n, c, h, w), in a new tensor.
    /// </summary>
    /// <param name="anySize">accept any height and width (folders of the user's images are
    /// resized); otherwise they must be the training images' own.</param>
    /// <exception cref="ArgumentException">the images have another channel count, or another size when <paramref name="anySize"/> is false.</exception>
    public Tensor Prepare(Tensor images, string source, bool anySize = false)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Byte)
            throw new ArgumentException($"{source}: expected uint8 images (n, c, h, w); got {images.dtype} of shape [{string.Join(", ", images.shape)}].");
        if (images.shape[1] != Channels)
            throw new ArgumentException($"{source}: the model takes {Describe(Channels)} images; these have {images.shape[1]} channels.");
        if (!anySize && (images.shape[2] != Height || images.shape[3] != Width))
            throw new ArgumentException($"{source}: the model takes {Height}×{Width} images; these are {images.shape[2]}×{images.shape[3]}.");
        using var scope = NewDisposeScope();
        Tensor x = images.to_type(ScalarType.Float32) / 127.5f - 1f;
        if (x.shape[2] != ModelSize || x.shape[3] != ModelSize)
            x = nn.functional.interpolate(x, [ModelSize, ModelSize], mode: InterpolationMode.Bilinear, align_corners: false)
                .clamp(-1f, 1f);
        return x.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Network-space images in [−1, 1] back to uint8 (n, c, side, side), for pictures.</summary>
    public static Tensor ToBytes(Tensor samples)
    {
        using var scope = NewDisposeScope();
        return ((samples.clamp(-1f, 1f) + 1f) * 127.5f).round().to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    private static string Describe(int channels) => channels == 1 ? "greyscale (1-channel)" : $"{channels}-channel";
}
