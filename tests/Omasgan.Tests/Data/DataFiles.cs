using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Omasgan.Data;
using SkiaSharp;

namespace Omasgan.Tests.Data;

/// <summary>A field of a written file that declares a size or dimension: where it is, how wide, which byte order.</summary>
internal readonly record struct SizeField(int Offset, int Width, bool BigEndian)
{
    /// <summary>Writes <paramref name="value"/> (truncated to the field's width) into <paramref name="bytes"/>.</summary>
    public void Write(byte[] bytes, ulong value)
    {
        for (int i = 0; i < Width; i++)
        {
            int shift = 8 * (BigEndian ? Width - 1 - i : i);
            bytes[Offset + i] = (byte)(value >> shift);
        }
    }
}

/// <summary>A temporary folder, deleted with its content on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "omasgan-data-" + Guid.NewGuid());

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> (subfolders created) and returns the full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Writes a small MNIST-format dataset into subfolder <paramref name="name"/> and returns its path:
    /// 28×28 images whose brightness follows the label, in IDX files. Without <paramref name="testLabels"/>
    /// there is no test split; <paramref name="testDrawn"/> gives the classes the test images are drawn
    /// from when they should differ from their labels; <paramref name="change"/> alters a file's bytes by name.
    /// </summary>
    public string WriteIdxDataset(string name, int[] trainLabels, int[]? testLabels, Func<string, byte[], byte[]>? change = null,
        int[]? testDrawn = null)
    {
        change ??= (_, bytes) => bytes;
        var splits = new List<(string, int[], int[])> { ("train", trainLabels, trainLabels) };
        if (testLabels is not null)
            splits.Add(("t10k", testLabels, testDrawn ?? testLabels));
        foreach (var (prefix, labels, drawn) in splits)
        {
            byte[] pixels = drawn.SelectMany((l, i) => Enumerable.Range(0, 784).Select(p => (byte)((l * 25 + p + i) % 256))).ToArray();
            string images = $"{prefix}-images-idx3-ubyte", labelFile = $"{prefix}-labels-idx1-ubyte";
            Write(System.IO.Path.Combine(name, images), change(images, DataFiles.Idx([labels.Length, 28, 28], pixels)));
            Write(System.IO.Path.Combine(name, labelFile), change(labelFile, DataFiles.Idx([labels.Length], labels.Select(l => (byte)l).ToArray())));
        }
        return System.IO.Path.Combine(Path, name);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Small files of each format the readers read, written here from their specifications.</summary>
internal static class DataFiles
{
    /// <summary>Distinct, reproducible bytes: element i is (i * 7 + seed) mod 256.</summary>
    public static byte[] Pattern(int count, int seed = 3) => Enumerable.Range(0, count).Select(i => (byte)(i * 7 + seed)).ToArray();

    /// <summary>An IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian dimensions, data.</summary>
    public static byte[] Idx(int[] dims, byte[] data) => Idx(0x0800u | (uint)dims.Length, dims, data);

    /// <summary>An IDX file with an explicit magic number.</summary>
    public static byte[] Idx(uint magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>The size fields of an IDX file of <paramref name="rank"/> dimensions.</summary>
    public static SizeField[] IdxFields(int rank) => Enumerable.Range(0, rank).Select(i => new SizeField(4 + 4 * i, 4, true)).ToArray();

    public static byte[] Gzip(byte[] data) => Compress(data, s => new GZipStream(s, CompressionLevel.Optimal));

    public static byte[] Zlib(byte[] data) => Compress(data, s => new ZLibStream(s, CompressionLevel.Optimal));

    private static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (Stream stream = compressor(output))
            stream.Write(data);
        return output.ToArray();
    }

    /// <summary>CIFAR-10 records: label, then the 3072 pixels; pixel j of record r is Pattern's (r * 3072 + j).</summary>
    public static byte[] Cifar(params byte[] labels)
    {
        byte[] pixels = Pattern(labels.Length * 3072, seed: 11);
        var bytes = new byte[labels.Length * 3073];
        for (int r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            pixels.AsSpan(r * 3072, 3072).CopyTo(bytes.AsSpan(r * 3073 + 1));
        }
        return bytes;
    }

    /// <summary>
    /// SVHN's X for <paramref name="count"/> images in MATLAB's column-major order: element (h, w, c, n)
    /// at h + 32w + 1024c + 3072n holds <see cref="SvhnPixel"/>.
    /// </summary>
    public static byte[] SvhnX(int count)
    {
        var x = new byte[count * 3072];
        for (int n = 0; n < count; n++)
            for (int c = 0; c < 3; c++)
                for (int w = 0; w < 32; w++)
                    for (int h = 0; h < 32; h++)
                        x[h + 32 * w + 1024 * c + 3072 * n] = SvhnPixel(n, c, h, w);
        return x;
    }

    /// <summary>A value that differs when h and w are swapped.</summary>
    public static byte SvhnPixel(int n, int c, int h, int w) => (byte)(h * 5 + w * 3 + c * 60 + n * 17);

    /// <summary>An SVHN-like MAT file with X (uint8) and y (double) holding <paramref name="labels"/>.</summary>
    public static MatWriter Svhn(params double[] labels) => new MatWriter()
        .Add("X", MatClass.UInt8, [32, 32, 3, labels.Length], MatType.UInt8, SvhnX(labels.Length))
        .Add("y", MatClass.Double, [labels.Length, 1], MatType.Double, labels.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A PNG or JPEG of width × height, grey or RGB, pixel (x, y) of channel c from <paramref name="pixel"/>.</summary>
    public static byte[] Image(SKEncodedImageFormat format, int width, int height, bool grey, Func<int, int, int, byte> pixel)
    {
        var info = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        Span<byte> span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (grey)
                    span[y * bitmap.RowBytes + x] = pixel(x, y, 0);
                else
                    for (int c = 0; c < 4; c++)
                        span[y * bitmap.RowBytes + 4 * x + c] = c == 3 ? (byte)255 : pixel(x, y, c);
        using SKPixmap pixmap = bitmap.PeekPixels()!;
        using SKData data = format == SKEncodedImageFormat.Png
            ? pixmap.Encode(new SKPngEncoderOptions())!
            : pixmap.Encode(new SKJpegEncoderOptions(95, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))!;
        return data.ToArray();
    }

    /// <summary>The size fields of a PNG (IHDR width and height) and of a baseline JPEG (SOF0 height and width).</summary>
    public static SizeField[] ImageFields(byte[] image, SKEncodedImageFormat format)
    {
        if (format == SKEncodedImageFormat.Png)
            return [new(16, 4, true), new(20, 4, true)];
        int sof = image.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        return [new(sof + 5, 2, true), new(sof + 7, 2, true)];
    }

    /// <summary>Recomputes a PNG's IHDR checksum, so that a changed size reaches the decoder's checks.</summary>
    public static void FixPngHeaderCrc(byte[] png) => BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}

/// <summary>
/// Writes little-endian MAT v5 files: the 128-byte header, then one matrix element per variable,
/// plain or each in a zlib-compressed element (as MATLAB's -v7 does).
/// </summary>
internal sealed class MatWriter
{
    /// <summary>One matrix element (tag included) and its size fields.</summary>
    public sealed record Element(byte[] Bytes, SizeField[] Fields);

    public List<Element> Elements { get; } = [];

    public ushort Version { get; init; } = 0x0100;

    public string Endian { get; init; } = "IM";

    public MatWriter Add(string name, MatClass matClass, int[] dims, MatType storage, byte[] data)
    {
        var body = new MemoryStream();
        var fields = new List<SizeField> { new(4, 4, false) };
        SubElement(body, MatType.UInt32, [(byte)matClass, 0, 0, 0, 0, 0, 0, 0]);
        for (int i = 0; i < dims.Length; i++)
            fields.Add(new(8 + (int)body.Length + 8 + 4 * i, 4, false));
        SubElement(body, MatType.Int32, dims.SelectMany(BitConverter.GetBytes).ToArray());
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        if (nameBytes.Length <= 4)
        {
            var small = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(small, (uint)nameBytes.Length << 16 | (uint)MatType.Int8);
            nameBytes.CopyTo(small, 4);
            body.Write(small);
        }
        else
            SubElement(body, MatType.Int8, nameBytes);
        fields.Add(new(8 + (int)body.Length + 4, 4, false));
        SubElement(body, storage, data);

        var element = new byte[8 + body.Length];
        Tag(element, MatType.Matrix, (int)body.Length);
        body.ToArray().CopyTo(element, 8);
        Elements.Add(new Element(element, [.. fields]));
        return this;
    }

    /// <summary>The file; with <paramref name="compressed"/>, each matrix inside its own miCOMPRESSED element.</summary>
    public byte[] ToBytes(bool compressed) => ToBytes(compressed, Elements.Select(e => e.Bytes));

    /// <summary>The file made of <paramref name="elements"/> (possibly altered copies of <see cref="Elements"/>).</summary>
    public byte[] ToBytes(bool compressed, IEnumerable<byte[]> elements)
    {
        var file = new MemoryStream();
        file.Write(Header());
        foreach (byte[] element in elements)
        {
            if (!compressed)
            {
                file.Write(element);
                continue;
            }
            byte[] z = DataFiles.Zlib(element);
            var tag = new byte[8];
            Tag(tag, MatType.Compressed, z.Length);
            file.Write(tag);
            file.Write(z);
        }
        return file.ToArray();
    }

    private byte[] Header()
    {
        var header = new byte[128];
        Array.Fill(header, (byte)' ', 0, 116);
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by Omasgan tests").CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), Version);
        Encoding.ASCII.GetBytes(Endian).CopyTo(header, 126);
        return header;
    }

    private static void SubElement(MemoryStream body, MatType type, byte[] data)
    {
        var tag = new byte[8];
        Tag(tag, type, data.Length);
        body.Write(tag);
        body.Write(data);
        body.Write(new byte[(8 - data.Length % 8) % 8]);
    }

    private static void Tag(byte[] bytes, MatType type, int size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)type);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), size);
    }
}
