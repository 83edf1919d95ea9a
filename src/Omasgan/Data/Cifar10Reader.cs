namespace Omasgan.Data;

/// <summary>
/// The binary version of CIFAR-10: each record is one label byte (0..9) and 3072 pixel bytes
/// (3×32×32, channel-major: the red plane, then green, then blue, each row by row). The training files
/// are data_batch_1.bin .. data_batch_5.bin, the test file test_batch.bin.
/// </summary>
/// <remarks>
/// Hand-written rather than TorchVision's (0.107) <c>datasets.CIFAR10</c>: that class wants a fixed
/// <c>root/CIFAR10/cifar-10-batches-bin</c> layout, accepts only files of exactly 10,000 records, does
/// not check labels, and makes one float tensor per image.
/// </remarks>
public static class Cifar10Reader
{
    internal const int ImageBytes = 3 * 32 * 32;
    internal const int RecordBytes = 1 + ImageBytes;
    internal const int Classes = 10;

    /// <summary>Reads the records of <paramref name="batchFiles"/>, in order, as images of shape [3, 32, 32].</summary>
    /// <exception cref="ArgumentException">no files given.</exception>
    /// <exception cref="DataFormatException">a file is missing, its length is not a positive multiple of 3073, or a label exceeds 9.</exception>
    public static SampleSet Read(IReadOnlyList<string> batchFiles)
    {
        ArgumentNullException.ThrowIfNull(batchFiles);
        if (batchFiles.Count == 0)
            throw new ArgumentException("no CIFAR-10 batch files given.", nameof(batchFiles));

        var readers = new List<DataReader>();
        try
        {
            long records = 0;
            foreach (string path in batchFiles)
            {
                DataReader reader = DataReader.Open(path, allowGzip: false);
                readers.Add(reader);
                if (reader.Limit == 0 || reader.Limit % RecordBytes != 0)
                    throw reader.Error($"is {reader.Limit} bytes long; a CIFAR-10 batch file holds a positive whole number of {RecordBytes}-byte records.");
                records += reader.Limit / RecordBytes;
                if (records * ImageBytes > DataReader.MaxBlockBytes)
                    throw reader.Error($"the batch files hold more than the {DataReader.MaxBlockBytes} bytes of pixels one array can hold.");
            }

            var pixels = new byte[records * ImageBytes];
            var labels = new int[records];
            int record = 0;
            Span<byte> label = stackalloc byte[1];
            foreach (DataReader reader in readers)
                for (long i = 0; i < reader.Limit / RecordBytes; i++, record++)
                {
                    reader.ReadExactly(label, "label");
                    if (label[0] >= Classes)
                        throw reader.Error($"record {i} (byte {reader.Position - 1}) has label {label[0]}; CIFAR-10 labels are 0..{Classes - 1}.");
                    labels[record] = label[0];
                    reader.ReadExactly(pixels.AsSpan(record * ImageBytes, ImageBytes), "pixels");
                }
            return new SampleSet(DataReader.ToTensor(pixels, records, 3, 32, 32), labels, string.Join(", ", batchFiles));
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }
}
