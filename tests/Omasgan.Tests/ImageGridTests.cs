using Omasgan.Reporting;
using SkiaSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class ImageGridTests
{
    [Fact]
    public void A_grid_whose_last_row_is_short_is_written_with_that_row_padded()
    {
        string path = Path.Combine(Path.GetTempPath(), $"omasgan-grid-{Guid.NewGuid()}.png");
        try
        {
            // 54 images in rows of 8: 7 rows, the last with 6 images. Each image is 32×32 with 2 pixels of padding.
            ImageGrid.Save(path, full([54, 1, 32, 32], 200, dtype: ScalarType.Byte));
            using SKBitmap bitmap = SKBitmap.Decode(path);
            Assert.Equal((2 + 8 * 34, 2 + 7 * 34), (bitmap.Width, bitmap.Height));
            Assert.Equal(200, bitmap.GetPixel(2 + 5 * 34 + 10, 2 + 6 * 34 + 10).Red);  // the 54th image
            Assert.Equal(0, bitmap.GetPixel(2 + 6 * 34 + 10, 2 + 6 * 34 + 10).Red);    // padding
        }
        finally
        {
            File.Delete(path);
        }
    }
}
