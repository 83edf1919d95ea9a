using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Reporting;

/// <summary>Pictures of image samples: a grid made by TorchVision, written as PNG by SkiaSharp.</summary>
public static class ImageGrid
{
    /// <summary>
    /// Writes uint8 images (n, c, h, w) as one PNG grid of <paramref name="columns"/> per row.
    /// (TorchVision's own save_image needs an imager package that is not published for this
    /// version, and SkiaSharp is already here for the plots.)
    /// </summary>
    public static void Save(string path, Tensor images, int columns = 8)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Byte || images.shape[1] is not (1 or 3))
            throw new ArgumentException($"Expected uint8 images (n, 1 or 3, h, w); got {images.dtype} [{string.Join(", ", images.shape)}].");
        using var scope = NewDisposeScope();
        // TorchVision's make_grid reads past the last image when the last row is short (54 images in
        // rows of 8 fail with "index 54 out of range"): fill that row with black images.
        long missing = (columns - images.shape[0] % columns) % columns;
        if (missing > 0)
            images = cat([images, zeros([missing, .. images.shape[1..]], dtype: ScalarType.Byte)], 0);
        // make_grid pads with 2 pixels of value 0 and returns (3, H, W) for 1- and 3-channel input.
        Tensor grid = torchvision.utils.make_grid(images.to_type(ScalarType.Float32), nrow: columns, padding: 2)
            .to_type(ScalarType.Byte);
        if (grid.shape[0] == 1) grid = grid.expand(3, -1, -1);
        int height = (int)grid.shape[1], width = (int)grid.shape[2];
        Tensor opaque = full([1, height, width], 255, dtype: ScalarType.Byte);
        byte[] rgba = cat([grid, opaque], 0).permute(1, 2, 0).contiguous().data<byte>().ToArray();

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => png.SaveTo(stream));
    }
}
