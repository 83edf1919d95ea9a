using Omasgan.Data;
using TorchSharp;

namespace Omasgan.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder folder = new();
    private static readonly byte[] Pixels = DataFiles.Pattern(5 * 4 * 3);
    private static readonly byte[] Labels = [0, 9, 3, 255, 7];

    public void Dispose() => folder.Dispose();

    private (string Images, string Labels) Write(byte[] images, byte[] labels, bool gzip = false) =>
        (folder.Write("images", gzip ? DataFiles.Gzip(images) : images), folder.Write("labels", gzip ? DataFiles.Gzip(labels) : labels));

    private static byte[] ValidImages => DataFiles.Idx([5, 4, 3], Pixels);
    private static byte[] ValidLabels => DataFiles.Idx([5], Labels);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_pixels_and_labels_exactly_plain_or_gzipped(bool gzip)
    {
        var (images, labels) = Write(ValidImages, ValidLabels, gzip);
        using SampleSet set = IdxReader.Read(images, labels);
        Assert.Equal(5, set.Count);
        Assert.Equal([1L, 4, 3], set.SampleShape);
        Assert.Equal([5L, 1, 4, 3], set.Samples.shape);
        Assert.Equal(torch.ScalarType.Byte, set.Samples.dtype);
        Assert.Equal(Pixels, set.Samples.data<byte>().ToArray());
        Assert.Equal(Labels.Select(l => (int)l), set.Labels);
        Assert.Equal(images, set.Source);
    }

    [Fact]
    public void Gzip_is_told_by_content_not_name()
    {
        string images = folder.Write("images.gz", ValidImages);
        string labels = folder.Write("labels", DataFiles.Gzip(ValidLabels));
        using SampleSet set = IdxReader.Read(images, labels);
        Assert.Equal(5, set.Count);
    }

    public static TheoryData<string, string> BadImageFiles() => new()
    {
        // the case (built below), what the message mentions
        { "missing", "no such file" },
        { "truncated", "truncated" },
        { "too long", "too long" },
        { "wrong magic", "not an IDX file" },
        { "labels given as images", "dimensions" },
        { "signed bytes", "element type" },
        { "empty shape", "empty shape" },
        { "huge count", "truncated" },
        { "huge count gzipped", "compressed data can hold" },
        { "bad gzip", "corrupt compressed data" },
        { "gzip cut short", "truncated" },
        { "gzip with more data", "too long" },
    };

    [Theory]
    [MemberData(nameof(BadImageFiles))]
    public void Bad_image_files_fail_naming_the_file(string name, string mentions)
    {
        byte[] gzipped = DataFiles.Gzip(ValidImages);
        byte[]? bytes = name switch
        {
            "missing" => null,
            "truncated" => ValidImages[..^1],
            "too long" => [.. ValidImages, 0],
            "wrong magic" => DataFiles.Idx(0x12345678, [5, 4, 3], Pixels),
            "labels given as images" => ValidLabels,
            "signed bytes" => DataFiles.Idx(0x0903, [5, 4, 3], Pixels),
            "empty shape" => DataFiles.Idx([0, 4, 3], []),
            "huge count" => DataFiles.Idx([int.MaxValue, 4, 3], Pixels),
            "huge count gzipped" => DataFiles.Gzip(DataFiles.Idx([int.MaxValue, 4, 3], Pixels)),
            "bad gzip" => [.. gzipped[..10], .. Enumerable.Repeat((byte)0xFF, 40)],
            "gzip cut short" => gzipped[..(gzipped.Length / 2)],
            "gzip with more data" => DataFiles.Gzip([.. ValidImages, 1, 2, 3]),
            _ => throw new ArgumentException(name),
        };
        string images = Path.Combine(folder.Path, "images");
        if (bytes is not null)
            folder.Write("images", bytes);
        string labels = folder.Write("labels", ValidLabels);
        DataAssert.Fails(() => IdxReader.Read(images, labels), images, mentions, maxAllocatedBytes: 1 << 20);
    }

    [Fact]
    public void Labels_that_are_images_fail_naming_the_label_file()
    {
        var (images, labels) = Write(ValidImages, ValidImages);
        DataAssert.Fails(() => IdxReader.Read(images, labels), labels, "an IDX label file has 1");
    }

    [Fact]
    public void Counts_that_disagree_fail_naming_the_label_file()
    {
        var (images, labels) = Write(ValidImages, DataFiles.Idx([4], Labels[..4]));
        DataAssert.Fails(() => IdxReader.Read(images, labels), labels, "holds 4 labels");
    }

    [Fact]
    public void A_folder_in_place_of_a_file_fails()
    {
        string labels = folder.Write("labels", ValidLabels);
        DataAssert.Fails(() => IdxReader.Read(folder.Path, labels), folder.Path, "folder");
    }
}
