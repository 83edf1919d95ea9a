using SkiaSharp;

namespace Omasgan.Data;

/// <summary>
/// A folder of the user's own images (PNG or JPEG, grey or colour), decoded with SkiaSharp, converted
/// to 1 (grey) or 3 (RGB) channels and resized to size × size (trilinear: bilinear over mipmaps, so
/// large reductions do not alias; the aspect ratio is not kept). Transparent pixels come out as if
/// drawn over black; EXIF orientation is not applied.
/// </summary>
/// <remarks>
/// Hand-written around SkiaSharp (already used for plots): TorchVision's (0.107) image reading needs
/// an imager set up by the caller, decodes one file at a time to float tensors, and knows no folder
/// layout of normal and anomalous images.
/// </remarks>
public static class ImageFolderReader
{
    /// <summary>The file extensions read, compared ignoring case: .png, .jpg, .jpeg.</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>The subfolder of a test folder holding the normal images (label 0).</summary>
    public const string NormalFolder = "normal";

    /// <summary>The subfolder of a test folder holding the anomalous images (label 1).</summary>
    public const string AnomalousFolder = "anomalous";

    /// <summary>The largest size images are resized to.</summary>
    public const int MaxSize = 1024;

    /// <summary>Images are refused above this many pixels (after JPEG's cheap reduction at decoding).</summary>
    internal const long MaxDecodedPixels = 1L << 25;

    /// <summary>All images directly in <paramref name="folder"/> (not in subfolders), sorted by file name (ordinal), all labelled <paramref name="label"/>.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="channels">1 for grey, 3 for RGB.</param>
    /// <param name="size">The side of the square images made, 1..<see cref="MaxSize"/>.</param>
    /// <param name="label">The label of every image.</param>
    /// <exception cref="InvalidOptionException">channels is not 1 or 3, or size is out of range.</exception>
    /// <exception cref="DataFormatException">the folder is missing or holds no images, or an image cannot be decoded.</exception>
    public static SampleSet Read(string folder, int channels, int size, int label = 0)
    {
        ArgumentNullException.ThrowIfNull(folder);
        CheckShape(channels, size);
        return ReadFiles(ImageFiles(folder), channels, size, folder, label);
    }

    /// <summary>The image files directly in <paramref name="folder"/> as <see cref="Read"/> takes them: sorted by name (ordinal); at least one.</summary>
    /// <exception cref="DataFormatException">the folder is missing or holds no images.</exception>
    public static string[] ListImages(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return ImageFiles(folder);
    }

    /// <summary>The images <paramref name="files"/>, in that order, all labelled <paramref name="label"/>; <paramref name="source"/> describes them in messages.</summary>
    /// <exception cref="DataFormatException">a file is missing or cannot be decoded.</exception>
    public static SampleSet ReadFiles(IReadOnlyList<string> files, int channels, int size, string source, int label = 0)
    {
        CheckShape(channels, size);
        if (files.Count == 0)
            throw new DataFormatException(source, "no images given.");
        long sampleBytes = (long)channels * size * size;
        if (files.Count * sampleBytes > DataReader.MaxBlockBytes)
            throw new DataFormatException(source, $"{files.Count} images of {channels}x{size}x{size} are more than one array can hold.");
        var pixels = new byte[files.Count * sampleBytes];
        for (int i = 0; i < files.Count; i++)
            Decode(files[i], channels, size, pixels.AsSpan((int)(i * sampleBytes), (int)sampleBytes));
        int[] labels = Enumerable.Repeat(label, files.Count).ToArray();
        return new SampleSet(DataReader.ToTensor(pixels, files.Count, channels, size, size), labels, source);
    }

    /// <summary>A test folder: the images of its subfolders normal/ (label 0) and anomalous/ (label 1), in that order.</summary>
    /// <exception cref="DataFormatException">the folder or a subfolder is missing, a subfolder holds no images, or an image cannot be decoded.</exception>
    public static SampleSet ReadTestFolder(string folder, int channels, int size)
    {
        ArgumentNullException.ThrowIfNull(folder);
        CheckShape(channels, size);
        CheckFolder(folder);
        foreach (string sub in new[] { NormalFolder, AnomalousFolder })
            if (!Directory.Exists(Path.Combine(folder, sub)))
                throw new DataFormatException(Path.Combine(folder, sub), $"no such folder; a test folder holds {NormalFolder}/ and {AnomalousFolder}/ subfolders of images.");
        using SampleSet normal = Read(Path.Combine(folder, NormalFolder), channels, size, label: 0);
        using SampleSet anomalous = Read(Path.Combine(folder, AnomalousFolder), channels, size, label: 1);
        return new SampleSet(TorchSharp.torch.cat([normal.Samples, anomalous.Samples]), [.. normal.Labels, .. anomalous.Labels], folder);
    }

    /// <summary>
    /// The channels to use for <paramref name="folder"/> when the user does not say: 1 if every image is
    /// encoded as greyscale, else 3. Reads only the image headers.
    /// </summary>
    /// <exception cref="DataFormatException">the folder is missing or holds no images, or an image's header cannot be read.</exception>
    public static int DetectChannels(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return DetectChannels(ImageFiles(folder));
    }

    /// <summary>1 if every one of <paramref name="files"/> is encoded as greyscale, else 3 (headers only).</summary>
    /// <exception cref="DataFormatException">a file is missing or its header cannot be read.</exception>
    public static int DetectChannels(IEnumerable<string> files)
    {
        foreach (string file in files)
        {
            using SKCodec codec = OpenCodec(file);
            if (codec.Info.ColorType != SKColorType.Gray8)
                return 3;
        }
        return 1;
    }

    private static void CheckShape(int channels, int size)
    {
        if (channels is not (1 or 3))
            throw new InvalidOptionException("channels", $"channels must be 1 (grey) or 3 (RGB); got {channels}.");
        OptionChecks.InRange(size, 1, MaxSize, "size");
    }

    private static void CheckFolder(string folder)
    {
        if (File.Exists(folder))
            throw new DataFormatException(folder, "is a file, not a folder of images.");
        if (!Directory.Exists(folder))
            throw new DataFormatException(folder, "no such folder.");
    }

    /// <summary>The image files directly in <paramref name="folder"/>, sorted by name (ordinal); at least one.</summary>
    private static string[] ImageFiles(string folder)
    {
        CheckFolder(folder);
        string[] files = DataReader.Wrap(folder, () => Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .ToArray());
        if (files.Length == 0)
            throw new DataFormatException(folder, $"holds no images ({string.Join(", ", Extensions)}).");
        return files;
    }

    private static SKCodec OpenCodec(string file) => DataReader.Wrap(file, () =>
    {
        SKCodec codec = SKCodec.Create(file, out SKCodecResult result)
                        ?? throw new DataFormatException(file, $"not a readable image ({result}).");
        SKEncodedImageFormat format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
        {
            codec.Dispose();
            throw new DataFormatException(file, $"is a {format} image; only PNG and JPEG are read.");
        }
        return codec;
    });

    /// <summary>Decodes <paramref name="file"/> into <paramref name="destination"/> as channels × size × size bytes.</summary>
    private static void Decode(string file, int channels, int size, Span<byte> destination)
    {
        using SKCodec codec = OpenCodec(file);
        SKSizeI decoded = DecodedSize(codec, size);
        if (decoded.Width <= 0 || decoded.Height <= 0 || (long)decoded.Width * decoded.Height > MaxDecodedPixels)
            throw new DataFormatException(file, $"is {codec.Info.Width}x{codec.Info.Height} pixels; at most {MaxDecodedPixels} are decoded.");

        var info = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(info))
            throw new DataFormatException(file, $"too large to decode ({decoded.Width}x{decoded.Height}).");
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new DataFormatException(file, $"cannot be decoded ({result}): damaged or cut short.");

        using SKBitmap? resized = decoded.Width == size && decoded.Height == size ? null : Resize(file, bitmap, size);
        ToPlanes((resized ?? bitmap).GetPixelSpan(), channels, size * size, destination);
    }

    /// <summary>The size to decode at: JPEG can decode at 1/8..8/8 scale cheaply, so the smallest scale not below <paramref name="size"/>.</summary>
    private static SKSizeI DecodedSize(SKCodec codec, int size)
    {
        for (int eighths = 1; eighths < 8; eighths++)
        {
            SKSizeI scaled = codec.GetScaledDimensions(eighths / 8f);
            if (scaled.Width >= size && scaled.Height >= size && scaled.Width < codec.Info.Width)
                return scaled;
        }
        return codec.Info.Size;
    }

    private static SKBitmap Resize(string file, SKBitmap bitmap, int size)
    {
        var square = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (!bitmap.ScalePixels(square, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
        {
            square.Dispose();
            throw new DataFormatException(file, $"cannot be resized to {size}x{size}.");
        }
        return square;
    }

    /// <summary>
    /// RGBA pixels (row by row) to channel planes: R, G, B for 3 channels; for 1, the luma
    /// (299 R + 587 G + 114 B) / 1000, rounded, which leaves grey pixels unchanged.
    /// </summary>
    private static void ToPlanes(ReadOnlySpan<byte> rgba, int channels, int pixels, Span<byte> destination)
    {
        for (int p = 0; p < pixels; p++)
        {
            byte r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
            if (channels == 1)
                destination[p] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
            else
            {
                destination[p] = r;
                destination[pixels + p] = g;
                destination[2 * pixels + p] = b;
            }
        }
    }
}
