using System.Diagnostics;
using Omasgan.Data;
using SkiaSharp;
using Xunit.Abstractions;

namespace Omasgan.Tests.Data;

/// <summary>
/// Thousands of mutated copies of small valid IDX (plain and gzip), CIFAR-10, SVHN (plain and
/// compressed), PNG and JPEG files: each reads cleanly or fails with <see cref="DataFormatException"/>,
/// quickly, without allocating what a mutated header declares. (Model files: <see cref="ModelFuzzTests"/>.)
/// </summary>
public sealed class DataFuzzTests(ITestOutputHelper output) : IDisposable
{
    private enum Mutation { Truncate, FlipBits, HugeSize, AppendGarbage }

    /// <summary>One format: writes a case's files into a folder (one of them mutated) and reads them, returning the image count.</summary>
    private sealed record Format(string Name, Action<string, Random, Mutation> Write, Func<string, Random, long> Read);

    private static readonly ulong[] HugeValues = [0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x10000000, 0xFFFF, 0xFFFFFF];

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Mutated_data_files_read_or_fail_cleanly()
    {
        const int casesPerFormat = 1000;
        Format[] formats = Formats();
        var random = new Random(20261129);
        // One uncounted round first: loads the native libraries and compiles the code paths.
        foreach (Format format in formats)
            RunCase(format, random, -1);

        var refused = new Dictionary<string, int>();
        var read = new Dictionary<string, int>();
        (TimeSpan Time, string Case) slowest = (TimeSpan.Zero, "");
        long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        for (int i = 0; i < casesPerFormat * formats.Length; i++)
        {
            Format format = formats[i % formats.Length];
            (bool wasRead, TimeSpan time, string label) = RunCase(format, random, i);
            Dictionary<string, int> outcome = wasRead ? read : refused;
            outcome[format.Name] = outcome.GetValueOrDefault(format.Name) + 1;
            if (time > slowest.Time)
                slowest = (time, label);
        }

        long grown = Process.GetCurrentProcess().PeakWorkingSet64 - peakBefore;
        foreach (Format format in formats)
            output.WriteLine($"{format.Name}: {refused.GetValueOrDefault(format.Name)} refused, {read.GetValueOrDefault(format.Name)} read");
        output.WriteLine($"{casesPerFormat * formats.Length} cases: {refused.Values.Sum()} refused, {read.Values.Sum()} read; " +
                         $"slowest {slowest.Time.TotalMilliseconds:F0} ms ({slowest.Case}); peak working set +{grown >> 20} MiB");
        Assert.All(formats, f => Assert.True(refused.GetValueOrDefault(f.Name) > casesPerFormat / 4, $"{f.Name}: only {refused.GetValueOrDefault(f.Name)} refused"));
        Assert.True(slowest.Time < TimeSpan.FromSeconds(2), $"slowest: {slowest.Case}, {slowest.Time}");
        Assert.True(grown < 500L << 20, $"peak working set grew by {grown >> 20} MiB");
    }

    /// <summary>Writes and reads one mutated case: whether it was read (else refused cleanly), how long it took, a label for messages.</summary>
    private (bool Read, TimeSpan Time, string Label) RunCase(Format format, Random random, int index)
    {
        var mutation = (Mutation)random.Next(4);
        string dir = Path.Combine(folder.Path, format.Name);
        Directory.CreateDirectory(dir);
        format.Write(dir, random, mutation);

        string label = $"case {index} ({format.Name}, {mutation})";
        var clock = Stopwatch.StartNew();
        bool wasRead = false;
        try
        {
            Assert.True(format.Read(dir, random) > 0, label);
            wasRead = true;
        }
        catch (DataFormatException e)
        {
            Assert.StartsWith(dir, e.Path);
            Assert.DoesNotContain('\n', e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"{label}: {e.GetType().Name}: {e.Message}");
        }
        return (wasRead, clock.Elapsed, label);
    }

    private static Format[] Formats()
    {
        byte[] images = DataFiles.Idx([20, 6, 5], DataFiles.Pattern(20 * 6 * 5));
        byte[] labels = DataFiles.Idx([20], DataFiles.Pattern(20).Select(b => (byte)(b % 10)).ToArray());
        byte[] cifar = DataFiles.Cifar(0, 9, 4, 2);
        SizeField[] cifarLabels = Enumerable.Range(0, 4).Select(r => new SizeField(r * 3073, 1, false)).ToArray();
        MatWriter svhn = DataFiles.Svhn(10, 1, 2);
        (byte[] matPlain, SizeField[] matFields) = PlainMat(svhn);

        return
        [
            new("idx", (dir, random, mutation) => WriteIdx(dir, random, mutation, images, labels, gzip: false), ReadIdx),
            new("idx-gzip", (dir, random, mutation) => WriteIdx(dir, random, mutation, images, labels, gzip: true), ReadIdx),
            new("cifar10", (dir, random, mutation) =>
            {
                Overwrite(Path.Combine(dir, "data_batch_1.bin"), cifar);
                Overwrite(Path.Combine(dir, "data_batch_2.bin"), Mutate(cifar, cifarLabels, random, mutation));
            }, (dir, _) => Count(Cifar10Reader.Read([Path.Combine(dir, "data_batch_1.bin"), Path.Combine(dir, "data_batch_2.bin")]))),
            new("svhn", (dir, random, mutation) => Overwrite(Path.Combine(dir, "svhn.mat"), Mutate(matPlain, matFields, random, mutation)), ReadSvhn),
            new("svhn-compressed", (dir, random, mutation) => Overwrite(Path.Combine(dir, "svhn.mat"), CompressedMat(svhn, random, mutation)), ReadSvhn),
            ImageFormat("png", SKEncodedImageFormat.Png),
            ImageFormat("jpeg", SKEncodedImageFormat.Jpeg),
        ];
    }

    private static void WriteIdx(string dir, Random random, Mutation mutation, byte[] images, byte[] labels, bool gzip)
    {
        // Images are mutated two times in three, labels otherwise; gzip cases mutate either the content or the compressed bytes.
        bool mutateImages = random.Next(3) > 0;
        byte[] target = mutateImages ? images : labels;
        SizeField[] fields = DataFiles.IdxFields(mutateImages ? 3 : 1);
        byte[] mutated = !gzip ? Mutate(target, fields, random, mutation)
            : random.Next(2) == 0 ? DataFiles.Gzip(Mutate(target, fields, random, mutation))
            : Mutate(DataFiles.Gzip(target), [], random, mutation);
        byte[] Plain(byte[] bytes) => gzip ? DataFiles.Gzip(bytes) : bytes;
        Overwrite(Path.Combine(dir, "images"), mutateImages ? mutated : Plain(images));
        Overwrite(Path.Combine(dir, "labels"), mutateImages ? Plain(labels) : mutated);
    }

    private static long ReadIdx(string dir, Random _) => Count(IdxReader.Read(Path.Combine(dir, "images"), Path.Combine(dir, "labels")));

    private static long ReadSvhn(string dir, Random _) => Count(SvhnReader.Read(Path.Combine(dir, "svhn.mat")));

    /// <summary>The plain MAT file and its size fields at their offsets in the file.</summary>
    private static (byte[] Bytes, SizeField[] Fields) PlainMat(MatWriter writer)
    {
        var fields = new List<SizeField>();
        int offset = 128;
        foreach (MatWriter.Element element in writer.Elements)
        {
            fields.AddRange(element.Fields.Select(f => f with { Offset = f.Offset + offset }));
            offset += element.Bytes.Length;
        }
        return (writer.ToBytes(compressed: false), [.. fields]);
    }

    /// <summary>A compressed MAT file with one matrix mutated before compression, or the compressed file mutated.</summary>
    private static byte[] CompressedMat(MatWriter writer, Random random, Mutation mutation)
    {
        if (random.Next(2) == 0)
            return Mutate(writer.ToBytes(compressed: true), [new SizeField(132, 4, false)], random, mutation);
        int target = random.Next(writer.Elements.Count);
        return writer.ToBytes(compressed: true, writer.Elements.Select((e, i) => i == target ? Mutate(e.Bytes, e.Fields, random, mutation) : e.Bytes));
    }

    /// <summary>A folder of a valid image and a mutated one (grey or colour), read at 1 or 3 channels, or its channels detected.</summary>
    private static Format ImageFormat(string name, SKEncodedImageFormat format)
    {
        byte[][] valid = new[] { true, false }.Select(grey => DataFiles.Image(format, 24, 20, grey, (x, y, c) => (byte)(x * 9 + y * 5 + c * 70))).ToArray();
        return new(name, (dir, random, mutation) =>
        {
            byte[] original = valid[random.Next(2)];
            byte[] mutated = Mutate(original, DataFiles.ImageFields(original, format), random, mutation);
            if (mutation == Mutation.HugeSize && format == SKEncodedImageFormat.Png)
                DataFiles.FixPngHeaderCrc(mutated);
            Overwrite(Path.Combine(dir, $"a.{name}"), valid[0]);
            Overwrite(Path.Combine(dir, $"b.{name}"), mutated);
        }, (dir, random) => random.Next(4) == 0
            ? ImageFolderReader.DetectChannels(dir)
            : Count(ImageFolderReader.Read(dir, channels: random.Next(2) == 0 ? 1 : 3, size: 16)));
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> over the file's content: cases reuse the file names, and rewriting
    /// in place is much faster than truncating to zero on some file systems.
    /// </summary>
    private static void Overwrite(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        file.Write(bytes);
        file.SetLength(bytes.Length);
    }

    /// <summary>The image count of a set read, checked for consistency; the set is disposed.</summary>
    private static long Count(SampleSet set)
    {
        using (set)
        {
            Assert.Equal(4, set.Samples.dim());
            Assert.Equal(set.Count, set.Labels.Length);
            return set.Count;
        }
    }

    private static byte[] Mutate(byte[] original, SizeField[] fields, Random random, Mutation mutation)
    {
        byte[] copy = (byte[])original.Clone();
        switch (mutation)
        {
            case Mutation.Truncate:
                return original[..random.Next(original.Length)];
            case Mutation.HugeSize when fields.Length > 0:
                fields[random.Next(fields.Length)].Write(copy, HugeValues[random.Next(HugeValues.Length)]);
                return copy;
            case Mutation.AppendGarbage:
                byte[] garbage = new byte[random.Next(1, 65)];
                random.NextBytes(garbage);
                return [.. original, .. garbage];
            default: // bit flips, also for a huge size where the data has no size field
                for (int k = random.Next(1, 9); k > 0; k--)
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
        }
    }
}
