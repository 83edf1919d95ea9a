using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// SVHN cropped digits, train_32x32.mat / test_32x32.mat (MATLAB v5/v7): variable X holds the images,
/// 32×32×3×N uint8 in MATLAB's column-major order, and y the labels, N×1 (uint8 or double) with values
/// 1..10, where 10 stands for the digit 0 (read as label 0).
/// </summary>
/// <remarks>
/// Hand-written: TorchVision (0.107) has no SVHN dataset, and .NET has no MAT-file reader in the
/// libraries this project uses; <see cref="MatFile"/> reads the part of the format SVHN needs.
/// </remarks>
public static class SvhnReader
{
    private static readonly HashSet<string> Variables = ["X", "y"];

    /// <summary>Reads <paramref name="matPath"/> as N images of shape [3, 32, 32] labelled 0..9.</summary>
    /// <exception cref="DataFormatException">not a little-endian MAT v5 file, X or y missing or of the wrong class or shape, counts disagree, a label outside 1..10, or corrupt compressed data.</exception>
    public static SampleSet Read(string matPath)
    {
        ArgumentNullException.ThrowIfNull(matPath);
        Dictionary<string, MatArray> arrays = MatFile.Read(matPath, Variables);
        MatArray x = arrays.GetValueOrDefault("X") ?? throw new DataFormatException(matPath, "has no variable X (the images).");
        MatArray y = arrays.GetValueOrDefault("y") ?? throw new DataFormatException(matPath, "has no variable y (the labels).");
        if (x.Class != MatClass.UInt8 || x.Storage != MatType.UInt8)
            throw new DataFormatException(matPath, $"X is of class {x.Class} stored as {x.Storage}; SVHN's X is uint8.");
        // MATLAB drops trailing singleton dimensions: one image is stored as 32x32x3.
        long count = x.Dims switch
        {
            [32, 32, 3] => 1,
            [32, 32, 3, var n] => n,
            _ => throw new DataFormatException(matPath, $"X has dimensions {string.Join("x", x.Dims)}; SVHN's X is 32x32x3xN."),
        };
        if (count == 0)
            throw new DataFormatException(matPath, "X holds no images.");
        if (y.Class is not (MatClass.UInt8 or MatClass.Double))
            throw new DataFormatException(matPath, $"y is of class {y.Class}; SVHN's y is uint8 or double.");
        if (y.Dims is not ([_, 1] or [1, _]))
            throw new DataFormatException(matPath, $"y has dimensions {string.Join("x", y.Dims)}; SVHN's y is Nx1.");
        long labelCount = y.Dims[0] * y.Dims[1];
        if (labelCount != count)
            throw new DataFormatException(matPath, $"X holds {count} images but y holds {labelCount} labels.");

        var labels = new int[count];
        for (long i = 0; i < count; i++)
        {
            double value = y[i];
            if (value is not (>= 1 and <= 10) || value != Math.Floor(value))
                throw new DataFormatException(matPath, $"y({i + 1}) is {value}; SVHN labels are 1..10.");
            labels[i] = (int)value % 10;
        }

        // Column-major: element (h, w, c, n) is at h + 32w + 1024c + 3072n, which row-major is [N, C, W, H].
        using Tensor stored = DataReader.ToTensor(x.Data, count, 3, 32, 32);
        using Tensor transposed = stored.permute(0, 1, 3, 2);
        return new SampleSet(transposed.contiguous(), labels, matPath);
    }
}
