using System.Buffers.Binary;
using System.Text;

namespace Omasgan.Data;

/// <summary>MATLAB array classes (the low byte of a matrix's array flags).</summary>
internal enum MatClass : byte
{
    Cell = 1, Struct = 2, Object = 3, Char = 4, Sparse = 5, Double = 6, Single = 7,
    Int8 = 8, UInt8 = 9, Int16 = 10, UInt16 = 11, Int32 = 12, UInt32 = 13, Int64 = 14, UInt64 = 15,
}

/// <summary>MAT v5 data element types.</summary>
internal enum MatType : uint
{
    Int8 = 1, UInt8 = 2, Int16 = 3, UInt16 = 4, Int32 = 5, UInt32 = 6, Single = 7, Double = 9,
    Int64 = 12, UInt64 = 13, Matrix = 14, Compressed = 15,
}

/// <summary>A numeric array read from a MAT file: its class, its dimensions and the stored bytes of its real part.</summary>
internal sealed record MatArray(string Name, MatClass Class, long[] Dims, MatType Storage, byte[] Data)
{
    /// <summary>Element <paramref name="i"/> (column-major order) as a double.</summary>
    public double this[long i]
    {
        get
        {
            ReadOnlySpan<byte> at = Data.AsSpan((int)(i * MatFile.ElementBytes(Storage)));
            return Storage switch
            {
                MatType.Int8 => (sbyte)at[0],
                MatType.UInt8 => at[0],
                MatType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                MatType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                MatType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                MatType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                MatType.Single => BinaryPrimitives.ReadSingleLittleEndian(at),
                MatType.Double => BinaryPrimitives.ReadDoubleLittleEndian(at),
                MatType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(at),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(at),
            };
        }
    }
}

/// <summary>
/// The numeric matrices of a little-endian MATLAB v5 (and v7, compressed) MAT file: a 128-byte header
/// (text, version 0x0100, endian indicator "IM"), then data elements, each a matrix (miMATRIX) or a
/// zlib-compressed matrix (miCOMPRESSED). Every tag, dimension and size is checked against the bytes
/// around it before anything is allocated.
/// </summary>
internal static class MatFile
{
    public const int HeaderBytes = 128;
    private const int TagBytes = 8;
    private const int MaxDims = 32;
    private const int MaxNameBytes = 255;

    /// <summary>The named numeric, real, non-sparse matrices among <paramref name="wanted"/>; other variables are passed over unread.</summary>
    public static Dictionary<string, MatArray> Read(string path, IReadOnlySet<string> wanted) => DataReader.Wrap(path, () =>
    {
        using DataReader reader = DataReader.Open(path, allowGzip: false);
        ReadHeader(reader);
        var found = new Dictionary<string, MatArray>();
        while (reader.Position < reader.Limit)
        {
            long at = reader.Position;
            (MatType type, long size) = ReadTag(reader, reader.Limit, out byte[]? small);
            MatArray? array;
            if (small is not null)
                throw reader.Error($"the element at {reader.At(at)} is a small (4-byte) element; the elements of a MAT file are matrices.");
            if (type == MatType.Compressed)
                array = reader.ReadZlib(size, $"the compressed element at {reader.At(at)}", inner => ReadCompressedMatrix(inner, wanted));
            else if (type == MatType.Matrix)
            {
                long end = reader.Position + size;
                array = ReadMatrix(reader, end, wanted);
                if (array is null)
                    reader.Skip(end - reader.Position, "matrix");
                reader.Skip(Padding(size), "padding");
            }
            else
                throw reader.Error($"element at {reader.At(at)} has type {(uint)type}; the elements of a MAT file are matrices (14) or compressed matrices (15).");

            if (array is not null && !found.TryAdd(array.Name, array))
                throw reader.Error($"holds two variables named {array.Name}.");
        }
        return found;
    });

    /// <summary>The bytes one element of <paramref name="type"/> takes, or 0 for a type that is not numeric.</summary>
    public static int ElementBytes(MatType type) => type switch
    {
        MatType.Int8 or MatType.UInt8 => 1,
        MatType.Int16 or MatType.UInt16 => 2,
        MatType.Int32 or MatType.UInt32 or MatType.Single => 4,
        MatType.Double or MatType.Int64 or MatType.UInt64 => 8,
        _ => 0,
    };

    private static void ReadHeader(DataReader reader)
    {
        if (reader.Limit < HeaderBytes)
            throw reader.Error($"not a MAT v5 file: {reader.Limit} bytes, shorter than the {HeaderBytes}-byte header.");
        var header = new byte[HeaderBytes];
        reader.ReadExactly(header, "header");
        string endian = Encoding.ASCII.GetString(header, 126, 2);
        if (endian == "MI")
            throw reader.Error("is a big-endian MAT file; only little-endian files (endian indicator \"IM\") are read.");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(124));
        if (endian != "IM")
            throw reader.Error("not a MAT v5 file: no endian indicator \"IM\" at byte 126.");
        if (version == 0x0200)
            throw reader.Error("is a MAT v7.3 (HDF5) file; save it in v7 format (save -v7) to read it here.");
        if (version != 0x0100)
            throw reader.Error($"not a MAT v5 file: version 0x{version:X4}, expected 0x0100.");
    }

    /// <summary>
    /// An element tag: type and size. A small element (type and size in the first four bytes, up to four
    /// data bytes in the next four) is returned with its data in <paramref name="small"/>; the element must end by <paramref name="end"/>.
    /// </summary>
    private static (MatType Type, long Size) ReadTag(DataReader reader, long end, out byte[]? small)
    {
        long at = reader.Position;
        if (end - at < TagBytes)
            throw reader.Error($"truncated: an element tag at {reader.At(at)} needs {TagBytes} bytes, {end - at} are left.");
        var tag = new byte[TagBytes];
        reader.ReadExactly(tag, "element tag");
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        if (first >> 16 != 0)
        {
            long smallSize = first >> 16;
            if (smallSize > 4)
                throw reader.Error($"small element at {reader.At(at)} declares {smallSize} bytes; a small element holds at most 4.");
            small = tag[4..(4 + (int)smallSize)];
            return ((MatType)(first & 0xFFFF), smallSize);
        }
        small = null;
        long size = BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
        if (end == reader.Limit)
            reader.CheckAvailable(size, "element data");
        else if (size > end - reader.Position)
            throw reader.Error($"the element at {reader.At(at)} declares {size} bytes, more than the {end - reader.Position} left in its matrix.");
        return ((MatType)first, size);
    }

    /// <summary>The data of a sub-element of <paramref name="expected"/> type (small or not), padding passed over.</summary>
    private static byte[] ReadSubElement(DataReader reader, long end, MatType expected, string what, long maxBytes)
    {
        long at = reader.Position;
        (MatType type, long size) = ReadTag(reader, end, out byte[]? small);
        if (type != expected)
            throw reader.Error($"the {what} element at {reader.At(at)} has type {(uint)type}, expected {(uint)expected} ({expected}).");
        if (size > maxBytes)
            throw reader.Error($"the {what} element at {reader.At(at)} declares {size} bytes, more than {maxBytes}.");
        if (small is not null)
            return small;
        byte[] data = reader.ReadBytes(size, what);
        reader.Skip(Math.Min(Padding(size), end - reader.Position), "padding");
        return data;
    }

    private static MatArray? ReadCompressedMatrix(DataReader inner, IReadOnlySet<string> wanted)
    {
        (MatType type, long size) = ReadTag(inner, inner.Limit, out byte[]? small);
        if (type != MatType.Matrix || small is not null)
            throw inner.Error($"a compressed element holds type {(uint)type}; expected a matrix (14).");
        MatArray? array = ReadMatrix(inner, inner.Position + size, wanted);
        if (array is not null)
            inner.ExpectEnd($"matrix {array.Name}");
        return array;
    }

    /// <summary>
    /// A matrix ending at byte <paramref name="end"/>: array flags, dimensions, name, then the real part.
    /// Returns null, after reading only flags, dimensions and name, for a variable not wanted (after the
    /// flags alone for a class it does not know).
    /// </summary>
    private static MatArray? ReadMatrix(DataReader reader, long end, IReadOnlySet<string> wanted)
    {
        long at = reader.Position - TagBytes;
        byte[] flags = ReadSubElement(reader, end, MatType.UInt32, "array flags", 8);
        if (flags.Length != 8)
            throw reader.Error($"the array flags of the matrix at {reader.At(at)} are {flags.Length} bytes, expected 8.");
        var matClass = (MatClass)flags[0];
        bool complex = (flags[1] & 0x08) != 0;
        if (!Enum.IsDefined(matClass))
            return null; // function handles and other opaque classes lay out their parts differently: passed over

        byte[] dimBytes = ReadSubElement(reader, end, MatType.Int32, "dimensions", MaxDims * 4);
        if (dimBytes.Length % 4 != 0 || dimBytes.Length < 8)
            throw reader.Error($"the dimensions of the matrix at {reader.At(at)} take {dimBytes.Length} bytes; expected at least two 4-byte values.");
        long[] dims = new long[dimBytes.Length / 4];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimBytes.AsSpan(4 * i));
        if (dims.Any(d => d < 0))
            throw reader.Error($"the matrix at {reader.At(at)} has negative dimensions [{string.Join(", ", dims)}].");

        byte[] nameBytes = ReadSubElement(reader, end, MatType.Int8, "array name", MaxNameBytes);
        string name = Encoding.ASCII.GetString(nameBytes);
        if (!wanted.Contains(name))
            return null;
        if (matClass is < MatClass.Double or > MatClass.UInt64)
            throw reader.Error($"variable {name} is of MATLAB class {matClass}; expected a numeric array.");
        if (complex)
            throw reader.Error($"variable {name} is complex; expected real values.");

        long dataAt = reader.Position;
        (MatType storage, long size) = ReadTag(reader, end, out byte[]? small);
        int elementBytes = ElementBytes(storage);
        if (elementBytes == 0)
            throw reader.Error($"the data of {name} at {reader.At(dataAt)} has type {(uint)storage}, not a numeric type.");
        long count = dims.Aggregate(1L, (a, b) => checked(a * b));
        if (size != checked(count * elementBytes))
            throw reader.Error($"the data of {name} at {reader.At(dataAt)} is {size} bytes; [{string.Join("x", dims)}] of {storage} takes {count * elementBytes}.");
        byte[] data = small ?? reader.ReadBytes(size, $"data of {name}");
        if (small is null)
            reader.Skip(Math.Min(Padding(size), end - reader.Position), "padding");
        if (reader.Position != end)
            throw reader.Error($"variable {name} has {end - reader.Position} bytes after its data.");
        return new MatArray(name, matClass, dims, storage, data);
    }

    private static long Padding(long size) => (TagBytes - size % TagBytes) % TagBytes;
}
