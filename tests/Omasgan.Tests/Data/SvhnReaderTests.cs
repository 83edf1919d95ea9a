using System.Buffers.Binary;
using Omasgan.Data;

namespace Omasgan.Tests.Data;

public sealed class SvhnReaderTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_in_row_major_layout_and_label_10_as_0(bool compressed)
    {
        string path = folder.Write("svhn.mat", DataFiles.Svhn(10, 1, 7).ToBytes(compressed));
        using SampleSet set = SvhnReader.Read(path);
        Assert.Equal([0, 1, 7], set.Labels);
        Assert.Equal([3L, 3, 32, 32], set.Samples.shape);
        Assert.True(set.Samples.is_contiguous());
        byte[] pixels = set.Samples.data<byte>().ToArray();
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < 32; h++)
                    for (int w = 0; w < 32; w++)
                        Assert.Equal(DataFiles.SvhnPixel(n, c, h, w), pixels[((n * 3 + c) * 32 + h) * 32 + w]);
    }

    [Fact]
    public void Reads_uint8_labels_and_passes_over_other_variables()
    {
        byte[] bytes = new MatWriter()
            .Add("other", MatClass.Double, [2, 2], MatType.Double, new byte[32])
            .Add("y", MatClass.UInt8, [2, 1], MatType.UInt8, [10, 4])
            .Add("X", MatClass.UInt8, [32, 32, 3, 2], MatType.UInt8, DataFiles.SvhnX(2))
            .ToBytes(compressed: false);
        using SampleSet set = SvhnReader.Read(folder.Write("svhn.mat", bytes));
        Assert.Equal([0, 4], set.Labels);
    }

    /// <summary>Bad files: the case, whether its matrices are compressed, what the message mentions.</summary>
    public static TheoryData<string, bool, string> BadFiles() => new()
    {
        { "short", false, "shorter than the 128-byte header" },
        { "version", false, "version 0x0300" },
        { "v7.3", false, "v7.3" },
        { "big-endian", false, "big-endian" },
        { "no endian indicator", false, "endian indicator" },
        { "no X", false, "no variable X" },
        { "no y", true, "no variable y" },
        { "X double", false, "SVHN's X is uint8" },
        { "X 3-D wrong", false, "32x32x3xN" },
        { "y int16", false, "uint8 or double" },
        { "y 2-D", true, "Nx1" },
        { "counts disagree", false, "holds 2 images but y holds 3" },
        { "label 0", false, "1..10" },
        { "label 11", true, "1..10" },
        { "label 2.5", false, "1..10" },
        { "data size wrong", false, "takes" },
        { "truncated", false, "truncated" },
        { "truncated", true, "truncated" },
        { "too long", false, "truncated" },
        { "huge matrix size", false, "truncated" },
        { "huge matrix size", true, "more than the compressed data can hold" },
        { "huge dimension", false, "takes" },
        { "bad zlib", true, "corrupt compressed data" },
        { "element type", false, "type 7" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_files_fail_naming_the_file(string name, bool compressed, string mentions)
    {
        byte[] bytes = BadFile(name, compressed);
        string path = folder.Write("svhn.mat", bytes);
        DataAssert.Fails(() => SvhnReader.Read(path), path, mentions, maxAllocatedBytes: 1 << 20);
    }

    private static byte[] BadFile(string name, bool compressed)
    {
        byte[] X(int count) => DataFiles.SvhnX(count);
        byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
        MatWriter writer = name switch
        {
            "version" => new MatWriter { Version = 0x0300 },
            "v7.3" => new MatWriter { Version = 0x0200 },
            "big-endian" => new MatWriter { Endian = "MI" },
            "no endian indicator" => new MatWriter { Endian = "XX" },
            _ => new MatWriter(),
        };
        switch (name)
        {
            case "no X":
                writer.Add("y", MatClass.Double, [1, 1], MatType.Double, Doubles(1));
                break;
            case "no y":
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 1], MatType.UInt8, X(1));
                break;
            case "X double":
                writer.Add("X", MatClass.Double, [32, 32, 3, 1], MatType.UInt8, X(1)).Add("y", MatClass.Double, [1, 1], MatType.Double, Doubles(1));
                break;
            case "X 3-D wrong":
                writer.Add("X", MatClass.UInt8, [32, 3, 32, 1], MatType.UInt8, X(1)).Add("y", MatClass.Double, [1, 1], MatType.Double, Doubles(1));
                break;
            case "y int16":
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 1], MatType.UInt8, X(1)).Add("y", MatClass.Int16, [1, 1], MatType.Int16, [1, 0]);
                break;
            case "y 2-D":
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 4], MatType.UInt8, X(4)).Add("y", MatClass.Double, [2, 2], MatType.Double, Doubles(1, 2, 3, 4));
                break;
            case "counts disagree":
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 2], MatType.UInt8, X(2)).Add("y", MatClass.Double, [3, 1], MatType.Double, Doubles(1, 2, 3));
                break;
            case "data size wrong":
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 2], MatType.UInt8, X(1)).Add("y", MatClass.Double, [2, 1], MatType.Double, Doubles(1, 2));
                break;
            default:
                double label = name switch { "label 0" => 0, "label 11" => 11, "label 2.5" => 2.5, _ => 3 };
                writer.Add("X", MatClass.UInt8, [32, 32, 3, 2], MatType.UInt8, X(2)).Add("y", MatClass.Double, [2, 1], MatType.Double, Doubles(1, label));
                break;
        }

        List<byte[]> elements = writer.Elements.Select(e => (byte[])e.Bytes.Clone()).ToList();
        MatWriter.Element x = writer.Elements[0];
        switch (name)
        {
            case "huge matrix size":
                x.Fields[0].Write(elements[0], 0xFFFFFFF0);
                break;
            case "huge dimension":
                x.Fields[4].Write(elements[0], 0x7FFFFFFF);
                break;
            case "element type":
                BinaryPrimitives.WriteUInt32LittleEndian(elements[0], (uint)MatType.Single);
                break;
        }
        byte[] file = writer.ToBytes(compressed, elements);
        return name switch
        {
            "short" => file[..100],
            "truncated" => file[..^20],
            "too long" => [.. file, 1, 2, 3],
            "bad zlib" => [.. file[..136], .. Enumerable.Repeat((byte)0x5A, file.Length - 136)],
            _ => file,
        };
    }
}
