using Omasgan.Data;
using SkiaSharp;

namespace Omasgan.Tests.Data;

public sealed class ImageFolderReaderTests : IDisposable
{
    private const SKEncodedImageFormat Png = SKEncodedImageFormat.Png;
    private const SKEncodedImageFormat Jpeg = SKEncodedImageFormat.Jpeg;
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A pixel pattern with different values per channel and position.</summary>
    private static byte Pattern(int x, int y, int c) => (byte)(x * 7 + y * 13 + c * 50);

    private static byte[] Pixels(SampleSet set) => set.Samples.data<byte>().ToArray();

    [Fact]
    public void Reads_png_pixels_exactly_grey_and_colour()
    {
        folder.Write("a/grey.png", DataFiles.Image(Png, 16, 16, grey: true, Pattern));
        folder.Write("b/colour.png", DataFiles.Image(Png, 16, 16, grey: false, Pattern));

        using SampleSet grey = ImageFolderReader.Read(Path.Combine(folder.Path, "a"), channels: 1, size: 16, label: 4);
        Assert.Equal([1L, 1, 16, 16], grey.Samples.shape);
        Assert.Equal([4], grey.Labels);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => Pattern(i % 16, i / 16, 0)), Pixels(grey));

        using SampleSet colour = ImageFolderReader.Read(Path.Combine(folder.Path, "b"), channels: 3, size: 16);
        Assert.Equal([1L, 3, 16, 16], colour.Samples.shape);
        Assert.Equal(Enumerable.Range(0, 3 * 256).Select(i => Pattern(i % 16, i / 16 % 16, i / 256)), Pixels(colour));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reads_jpeg_pixels_within_compression_error(bool grey)
    {
        byte Smooth(int x, int y, int c) => (byte)(20 + x * 3 + y * 2 + c * 30); // at most 235: no wrap-around edges
        folder.Write("image.jpg", DataFiles.Image(Jpeg, 32, 32, grey, Smooth));
        int channels = grey ? 1 : 3;
        using SampleSet set = ImageFolderReader.Read(folder.Path, channels, size: 32);
        byte[] pixels = Pixels(set);
        for (int i = 0; i < pixels.Length; i++)
            Assert.InRange(pixels[i] - Smooth(i % 32, i / 32 % 32, grey ? 0 : i / 1024), -6, 6);
    }

    [Fact]
    public void Resizes_to_the_size_asked_keeping_uniform_colours()
    {
        folder.Write("wide.png", DataFiles.Image(Png, 64, 48, grey: false, (_, _, c) => (byte)(60 + 70 * c)));
        folder.Write("small.jpeg", DataFiles.Image(Jpeg, 8, 8, grey: true, (_, _, _) => 90));
        folder.Write("large.JPG", DataFiles.Image(Jpeg, 400, 300, grey: false, (_, _, c) => (byte)(200 - 50 * c)));
        using SampleSet set = ImageFolderReader.Read(folder.Path, channels: 3, size: 32);
        Assert.Equal([3L, 3, 32, 32], set.Samples.shape);
        // Sorted by name, ordinal: "large.JPG", "small.jpeg", "wide.png".
        (int Image, int Channel, int Value)[] expected = [(0, 0, 200), (0, 1, 150), (0, 2, 100), (1, 0, 90), (1, 1, 90), (1, 2, 90), (2, 0, 60), (2, 1, 130), (2, 2, 200)];
        foreach (var (image, channel, value) in expected)
        {
            byte[] plane = set.Samples[image, channel].flatten().data<byte>().ToArray();
            Assert.All(plane, p => Assert.InRange(p, value - 3, value + 3));
        }
    }

    [Fact]
    public void Resizing_averages_fine_detail_instead_of_aliasing()
    {
        folder.Write("checks.png", DataFiles.Image(Png, 256, 256, grey: true, (x, y, _) => (byte)((x + y) % 2 == 0 ? 255 : 0)));
        using SampleSet set = ImageFolderReader.Read(folder.Path, channels: 1, size: 32);
        Assert.All(Pixels(set), p => Assert.InRange(p, 110, 145));
    }

    [Fact]
    public void Converts_colour_to_grey_by_luma_and_grey_to_three_equal_channels()
    {
        folder.Write("c/red.png", DataFiles.Image(Png, 4, 4, grey: false, (_, _, c) => c == 0 ? (byte)200 : (byte)0));
        folder.Write("g/grey.png", DataFiles.Image(Png, 4, 4, grey: true, (x, _, _) => (byte)(x * 60)));

        using SampleSet luma = ImageFolderReader.Read(Path.Combine(folder.Path, "c"), channels: 1, size: 4);
        Assert.All(Pixels(luma), p => Assert.Equal(60, p)); // 0.299 * 200, rounded

        using SampleSet rgb = ImageFolderReader.Read(Path.Combine(folder.Path, "g"), channels: 3, size: 4);
        byte[] planes = Pixels(rgb);
        Assert.Equal(planes[..16], planes[16..32]);
        Assert.Equal(planes[..16], planes[32..]);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)(i % 4 * 60)), planes[..16]);
    }

    [Fact]
    public void Reads_only_image_files_directly_in_the_folder_in_name_order()
    {
        folder.Write("b.png", DataFiles.Image(Png, 2, 2, grey: true, (_, _, _) => 2));
        folder.Write("B.PNG", DataFiles.Image(Png, 2, 2, grey: true, (_, _, _) => 1));
        folder.Write("a.jpeg", DataFiles.Image(Png, 2, 2, grey: true, (_, _, _) => 3)); // content decides the decoder
        folder.Write("notes.txt", [1, 2, 3]);
        folder.Write("sub/c.png", DataFiles.Image(Png, 2, 2, grey: true, (_, _, _) => 9));
        using SampleSet set = ImageFolderReader.Read(folder.Path, channels: 1, size: 2);
        Assert.Equal([1, 3, 2], set.Samples[.., 0, 0, 0].data<byte>().ToArray().Select(b => (int)b));
    }

    [Fact]
    public void Test_folder_labels_normal_0_and_anomalous_1()
    {
        folder.Write("normal/1.png", DataFiles.Image(Png, 8, 8, grey: true, (_, _, _) => 10));
        folder.Write("normal/2.png", DataFiles.Image(Png, 8, 8, grey: true, (_, _, _) => 20));
        folder.Write("anomalous/1.png", DataFiles.Image(Png, 8, 8, grey: true, (_, _, _) => 30));
        using SampleSet set = ImageFolderReader.ReadTestFolder(folder.Path, channels: 1, size: 8);
        Assert.Equal([0, 0, 1], set.Labels);
        Assert.Equal([10, 20, 30], set.Samples[.., 0, 0, 0].data<byte>().ToArray().Select(b => (int)b));
        Assert.Equal(folder.Path, set.Source);
    }

    [Fact]
    public void Detects_one_channel_only_when_every_image_is_grey()
    {
        folder.Write("grey.png", DataFiles.Image(Png, 4, 4, grey: true, Pattern));
        folder.Write("grey.jpg", DataFiles.Image(Jpeg, 4, 4, grey: true, Pattern));
        Assert.Equal(1, ImageFolderReader.DetectChannels(folder.Path));
        folder.Write("colour.jpg", DataFiles.Image(Jpeg, 4, 4, grey: false, Pattern));
        Assert.Equal(3, ImageFolderReader.DetectChannels(folder.Path));
    }

    [Theory]
    [InlineData("missing folder", "no such folder")]
    [InlineData("empty folder", "holds no images")]
    [InlineData("corrupt image", "not a readable image")]
    [InlineData("cut short", "cannot be decoded")]
    [InlineData("huge declared size", "at most")]
    [InlineData("other format", "only PNG and JPEG")]
    public void Bad_folders_and_images_fail_naming_the_culprit(string name, string mentions)
    {
        string images = Path.Combine(folder.Path, "images");
        Directory.CreateDirectory(images);
        byte[] png = DataFiles.Image(Png, 16, 16, grey: false, Pattern);
        folder.Write("images/good.png", png);
        string bad = Path.Combine(images, "bad.png");
        switch (name)
        {
            case "missing folder":
                bad = images = Path.Combine(folder.Path, "absent");
                break;
            case "empty folder":
                File.Delete(Path.Combine(images, "good.png"));
                bad = images;
                break;
            case "corrupt image":
                File.WriteAllBytes(bad, [.. png[..8], .. new byte[200]]);
                break;
            case "cut short":
                File.WriteAllBytes(bad, DataFiles.Image(Jpeg, 64, 64, grey: false, Pattern)[..400]);
                break;
            case "huge declared size":
                byte[] huge = (byte[])png.Clone();
                DataFiles.ImageFields(huge, Png)[0].Write(huge, 60_000);
                DataFiles.ImageFields(huge, Png)[1].Write(huge, 60_000);
                DataFiles.FixPngHeaderCrc(huge);
                File.WriteAllBytes(bad, huge);
                break;
            case "other format":
                using (var bitmap = new SKBitmap(4, 4))
                using (SKData webp = bitmap.Encode(SKEncodedImageFormat.Webp, 90))
                    File.WriteAllBytes(bad, webp.ToArray());
                break;
        }
        DataAssert.Fails(() => ImageFolderReader.Read(images, channels: 3, size: 16), bad, mentions);
    }

    [Theory]
    [InlineData("normal")]
    [InlineData("anomalous")]
    public void Test_folder_without_a_subfolder_or_with_an_empty_one_fails(string missing)
    {
        string present = missing == "normal" ? "anomalous" : "normal";
        folder.Write($"{present}/1.png", DataFiles.Image(Png, 4, 4, grey: true, Pattern));
        string path = Path.Combine(folder.Path, missing);
        DataAssert.Fails(() => ImageFolderReader.ReadTestFolder(folder.Path, 1, 4), path, "no such folder; a test folder holds normal/ and anomalous/");
        Directory.CreateDirectory(path);
        DataAssert.Fails(() => ImageFolderReader.ReadTestFolder(folder.Path, 1, 4), path, "holds no images");
    }

    [Theory]
    [InlineData(2, 16, "channels")]
    [InlineData(3, 0, "size")]
    [InlineData(1, 5000, "size")]
    public void Shapes_out_of_range_are_option_errors(int channels, int size, string option)
    {
        var error = Assert.Throws<InvalidOptionException>(() => ImageFolderReader.Read(folder.Path, channels, size));
        Assert.Equal(option, error.Option);
    }
}
