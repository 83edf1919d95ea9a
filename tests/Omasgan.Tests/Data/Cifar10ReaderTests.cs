using Omasgan.Data;

namespace Omasgan.Tests.Data;

public sealed class Cifar10ReaderTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_records_of_several_files_in_order_with_channel_major_pixels()
    {
        string first = folder.Write("data_batch_1.bin", DataFiles.Cifar(3, 0, 9));
        // A record whose red plane is 10, green 20, blue 30, and whose top-left red pixel is 1.
        byte[] second = DataFiles.Cifar(5);
        second.AsSpan(1, 1024).Fill(10);
        second.AsSpan(1 + 1024, 1024).Fill(20);
        second.AsSpan(1 + 2048, 1024).Fill(30);
        second[1] = 1;
        string secondPath = folder.Write("data_batch_2.bin", second);

        using SampleSet set = Cifar10Reader.Read([first, secondPath]);
        Assert.Equal(4, set.Count);
        Assert.Equal([3L, 32, 32], set.SampleShape);
        Assert.Equal([3, 0, 9, 5], set.Labels);
        Assert.Equal(DataFiles.Pattern(3 * 3072, seed: 11), set.Samples[..3].flatten().data<byte>().ToArray());
        Assert.Equal(1, set.Samples[3, 0, 0, 0].item<byte>());
        Assert.Equal(10, set.Samples[3, 0, 0, 1].item<byte>());
        Assert.Equal(10, set.Samples[3, 0, 31, 31].item<byte>());
        Assert.Equal(20, set.Samples[3, 1, 5, 7].item<byte>());
        Assert.Equal(30, set.Samples[3, 2, 31, 0].item<byte>());
    }

    [Theory]
    [InlineData("empty", "0 bytes long")]
    [InlineData("partial record", "3073-byte records")]
    [InlineData("label 10", "label 10")]
    [InlineData("gzipped", "gzip")]
    [InlineData("missing", "no such file")]
    public void Bad_batch_files_fail_naming_the_file(string name, string mentions)
    {
        byte[] valid = DataFiles.Cifar(1, 2);
        byte[]? bytes = name switch
        {
            "empty" => [],
            "partial record" => valid[..^5],
            "label 10" => DataFiles.Cifar(1, 10),
            "gzipped" => DataFiles.Gzip(valid),
            "missing" => null,
            _ => throw new ArgumentException(name),
        };
        string good = folder.Write("data_batch_1.bin", valid);
        string bad = Path.Combine(folder.Path, "data_batch_2.bin");
        if (bytes is not null)
            folder.Write("data_batch_2.bin", bytes);
        DataAssert.Fails(() => Cifar10Reader.Read([good, bad]), bad, mentions);
    }

    [Fact]
    public void No_files_is_an_argument_error() => Assert.Throws<ArgumentException>(() => Cifar10Reader.Read([]));
}
