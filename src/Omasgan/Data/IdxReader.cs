namespace Omasgan.Data;

/// <summary>
/// IDX files (MNIST, Fashion-MNIST, KMNIST), plain or gzip-compressed (told by the gzip magic bytes
/// 1F 8B, not by the name).
/// </summary>
/// <remarks>
/// Hand-written rather than TorchVision's (0.107) <c>datasets.MNIST</c>: that class only reads
/// decompressed files under a fixed <c>root/&lt;name&gt;/test_data</c> layout, reads no gzip, checks
/// neither the magic numbers nor the declared sizes against the file, and makes one float tensor per image.
/// </remarks>
public static class IdxReader
{
    internal const uint ImagesMagic = 0x00000803;
    internal const uint LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads an image file (magic 0x00000803: unsigned bytes, 3 dimensions N×H×W) and its label file
    /// (magic 0x00000801: N unsigned bytes) as N images of shape [1, H, W] labelled 0..255.
    /// </summary>
    /// <exception cref="DataFormatException">a file is missing, compressed wrongly, of another kind, truncated or too long, or the counts disagree.</exception>
    public static SampleSet Read(string imagesPath, string labelsPath)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        (byte[] labelBytes, long[] labelDims) = ReadFile(labelsPath, LabelsMagic);
        (byte[] pixels, long[] dims) = ReadFile(imagesPath, ImagesMagic);
        if (labelDims[0] != dims[0])
            throw new DataFormatException(labelsPath, $"holds {labelDims[0]} labels but {imagesPath} holds {dims[0]} images.");
        int[] labels = Array.ConvertAll(labelBytes, b => (int)b);
        return new SampleSet(DataReader.ToTensor(pixels, dims[0], 1, dims[1], dims[2]), labels, imagesPath);
    }

    /// <summary>The data of one IDX file of unsigned bytes whose magic number is <paramref name="magic"/>, and its dimensions.</summary>
    private static (byte[] Data, long[] Dims) ReadFile(string path, uint magic) => DataReader.Wrap(path, () =>
    {
        using DataReader reader = DataReader.Open(path);
        int rank = (int)(magic & 0xFF);
        string kind = rank == 3 ? "image" : "label";
        uint found = reader.ReadUInt32(bigEndian: true, "magic number");
        if ((found & 0xFFFF0000) != 0)
            throw reader.Error($"not an IDX file: magic number 0x{found:X8} (an IDX {kind} file starts 0x{magic:X8}).");
        if ((found >> 8) != 0x08)
            throw reader.Error($"holds IDX element type 0x{found >> 8:X2}; expected unsigned bytes (0x08), magic 0x{magic:X8}.");
        if ((found & 0xFF) != rank)
            throw reader.Error($"has {found & 0xFF} dimensions; an IDX {kind} file has {rank} (magic 0x{magic:X8}, found 0x{found:X8}).");

        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = reader.ReadUInt32(bigEndian: true, "dimensions");
        if (dims.Contains(0))
            throw reader.Error($"declares an empty shape [{string.Join(", ", dims)}].");
        long size = dims.Aggregate(1L, (a, b) => checked(a * b));
        byte[] data = reader.ReadBytes(size, rank == 3 ? "pixels" : "labels");
        reader.ExpectEnd(rank == 3 ? "pixels" : "labels");
        return (data, dims);
    });
}
