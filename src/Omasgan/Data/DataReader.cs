using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// Reads a dataset file front to back and checks every size the file declares against the bytes that
/// can still come before allocating anything of that size. A plain file's remaining length is known
/// exactly; compressed data (gzip, zlib) is bounded by deflate's largest expansion, and reads past
/// what it holds fail as truncation. Every failure is a <see cref="DataFormatException"/> naming the file.
/// </summary>
internal sealed class DataReader : IDisposable
{
    /// <summary>Deflate turns one byte into at most 1032 (a 258-byte match costs at least 2 bits).</summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>The largest single block of data the readers hold: one .NET byte array.</summary>
    public static long MaxBlockBytes => Array.MaxLength;

    private readonly Stream stream;
    private readonly byte[] scratch = new byte[8];
    private readonly string? within;

    private DataReader(string path, Stream stream, long limit, bool limitIsExact, string? within = null)
    {
        Path = path;
        this.within = within;
        this.stream = stream;
        Limit = limit;
        LimitIsExact = limitIsExact;
    }

    /// <summary>The file read (for messages).</summary>
    public string Path { get; }

    /// <summary>Bytes read so far (decompressed bytes for compressed data).</summary>
    public long Position { get; private set; }

    /// <summary>The most bytes this data can hold; exact when <see cref="LimitIsExact"/>.</summary>
    public long Limit { get; }

    /// <summary>True for plain files, whose length is known before reading.</summary>
    public bool LimitIsExact { get; }

    /// <summary>Where <paramref name="position"/> is, for messages: "byte N", with the compressed data it is in if any.</summary>
    public string At(long position) => within is null ? $"byte {position}" : $"byte {position} of {within}";

    /// <summary>The most bytes that can still come.</summary>
    public long MaxRemaining => Limit - Position;

    /// <summary>
    /// Opens <paramref name="path"/>; gzip-compressed content (told by its first two bytes, 1F 8B) is
    /// decompressed on the fly when <paramref name="allowGzip"/>, else refused.
    /// </summary>
    public static DataReader Open(string path, bool allowGzip = true)
    {
        if (Directory.Exists(path))
            throw new DataFormatException(path, "is a folder, not a file.");
        if (!File.Exists(path))
            throw new DataFormatException(path, "no such file.");
        return Wrap(path, () =>
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            try
            {
                Span<byte> magic = stackalloc byte[2];
                int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
                file.Position = 0;
                bool gzipped = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
                if (gzipped && !allowGzip)
                    throw new DataFormatException(path, "is gzip-compressed; decompress it first.");
                return gzipped
                    ? new DataReader(path, new GZipStream(file, CompressionMode.Decompress), SaturatingMultiply(file.Length, MaxDeflateRatio), false, "the decompressed data")
                    : new DataReader(path, file, file.Length, true);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// Reads the zlib stream of <paramref name="compressedLength"/> bytes at the current position with
    /// <paramref name="read"/>, then continues after it. Only for plain (seekable) files.
    /// <paramref name="what"/> names the compressed data in messages.
    /// </summary>
    public T ReadZlib<T>(long compressedLength, string what, Func<DataReader, T> read)
    {
        CheckAvailable(compressedLength, "compressed data");
        long start = stream.Position;
        using (var inner = new DataReader(Path, new ZLibStream(new SliceStream(stream, compressedLength), CompressionMode.Decompress),
                   SaturatingMultiply(compressedLength, MaxDeflateRatio), false, what))
        {
            T result = read(inner);
            stream.Position = start + compressedLength;
            Position += compressedLength;
            return result;
        }
    }

    /// <summary>A <see cref="DataFormatException"/> about this file.</summary>
    public DataFormatException Error(string problem, Exception? inner = null) => new(Path, problem, inner);

    /// <summary>Fills <paramref name="buffer"/>; running out of data is "truncated".</summary>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        CheckAvailable(buffer.Length, what);
        int got = ReadAtMost(buffer);
        if (got < buffer.Length)
            throw Error($"truncated: ends {got} bytes into the {buffer.Length} bytes of {what} (at {At(Position + got)}).");
        Position += buffer.Length;
    }

    /// <summary>Reads <paramref name="count"/> bytes into a new array, allocated only once the file can hold them.</summary>
    public byte[] ReadBytes(long count, string what)
    {
        CheckAvailable(count, what);
        var bytes = new byte[count];
        ReadExactly(bytes, what);
        return bytes;
    }

    /// <summary>Passes over <paramref name="count"/> bytes.</summary>
    public void Skip(long count, string what)
    {
        CheckAvailable(count, what);
        if (stream.CanSeek)
        {
            stream.Position += count;
            Position += count;
            return;
        }
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        for (long left = count; left > 0; left -= buffer.Length)
        {
            if (left < buffer.Length)
                buffer = new byte[left];
            ReadExactly(buffer, what);
        }
    }

    /// <summary>A 32-bit unsigned integer in the given byte order.</summary>
    public uint ReadUInt32(bool bigEndian, string what)
    {
        ReadExactly(scratch.AsSpan(0, 4), what);
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(scratch) : BinaryPrimitives.ReadUInt32LittleEndian(scratch);
    }

    /// <summary>Fails unless the data ends here; <paramref name="what"/> names what should have been last.</summary>
    public void ExpectEnd(string what)
    {
        if (LimitIsExact)
        {
            if (Position != Limit)
                throw Error($"too long: {Limit - Position} bytes follow the {what}.");
            return;
        }
        // Compressed: at most one byte more is decompressed to tell, and reading to the end checks the stream's checksum.
        if (ReadAtMost(scratch.AsSpan(0, 1)) > 0)
            throw Error($"too long: the data goes on after the {what} ({Position} bytes).");
    }

    /// <summary>Fails unless <paramref name="count"/> more bytes can still come.</summary>
    public void CheckAvailable(long count, string what)
    {
        if (count < 0)
            throw Error($"negative size {count} for {what}.");
        if (count > MaxRemaining)
            throw Error(LimitIsExact
                ? $"truncated: declares {count} bytes of {what} at {At(Position)} but only {MaxRemaining} follow."
                : $"declares {count} bytes of {what} at {At(Position)}, more than the compressed data can hold (at most {MaxRemaining}).");
        if (count > MaxBlockBytes)
            throw Error($"declares {count} bytes of {what}, more than the {MaxBlockBytes} bytes one array can hold.");
    }

    /// <summary>A uint8 tensor of <paramref name="shape"/> sharing <paramref name="bytes"/> (no copy).</summary>
    public static Tensor ToTensor(byte[] bytes, params long[] shape)
    {
        using Tensor flat = torch.frombuffer(bytes, ScalarType.Byte);
        return flat.reshape(shape);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a file and turns the failures a damaged or unreadable file can
    /// cause (I/O, corrupt compressed data, overflowing sizes, memory) into <see cref="DataFormatException"/>.
    /// </summary>
    public static T Wrap<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsDataFailure(e))
        {
            throw Translate(path, e);
        }
    }

    private int ReadAtMost(Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (IsDataFailure(e))
        {
            throw Translate(Path, e);
        }
    }

    private static bool IsDataFailure(Exception e) =>
        e is IOException or InvalidDataException or UnauthorizedAccessException or OverflowException or OutOfMemoryException or NotSupportedException;

    private static DataFormatException Translate(string path, Exception e) => new(path, e switch
    {
        InvalidDataException => $"corrupt compressed data ({e.Message})",
        EndOfStreamException => "truncated.",
        OverflowException => "declares sizes too large to compute.",
        OutOfMemoryException => "too large to hold in memory.",
        _ => $"cannot be read ({e.Message})",
    }, e);

    private static long SaturatingMultiply(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;

    public void Dispose() => stream.Dispose();

    /// <summary>A read-only window of <c>length</c> bytes from the current position of a stream.</summary>
    private sealed class SliceStream(Stream inner, long length) : Stream
    {
        private long left = length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (left <= 0)
                return 0;
            int got = inner.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
            left -= got;
            return got;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
