using Omasgan.Data;
using Omasgan.Networks;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>
/// How a detector turns raw samples into its networks' input, fitted on the normal training data and
/// saved with the detector: uint8 images are scaled to [−1, 1] and resized (<see cref="Image"/>), then
/// every sample may be projected onto the training data's leading principal components
/// (<see cref="Projection"/>) and standardised per feature (<see cref="Scaling"/>). Null parts do nothing.
/// </summary>
public sealed record InputPipeline(ImageInput? Image = null, FeatureScaling? Scaling = null, PrincipalComponents? Projection = null)
{
    /// <summary>Takes numbers as they are.</summary>
    public static InputPipeline None { get; } = new();

    /// <summary>
    /// Fits the pipeline on raw <paramref name="normal"/> samples: uint8 images (n, c, h, w) are
    /// prepared for networks of side <see cref="DcganArchitecture.ImageSize"/>; with
    /// <paramref name="components"/>, they are projected onto that many principal components; with
    /// <paramref name="standardize"/>, per-feature scaling is fitted on the prepared data.
    /// Returns the pipeline and the prepared training data before scaling (a new tensor).
    /// </summary>
    /// <exception cref="ArgumentException">fewer than two samples, a NaN or infinite value, or more components than the data has.</exception>
    /// <param name="sharedScale">with <paramref name="standardize"/>: one scale for every feature (<see cref="FeatureScaling.Fit"/>).</param>
    public static (InputPipeline Pipeline, Tensor Prepared) Fit(Tensor normal, bool standardize, int? components = null, bool sharedScale = false)
    {
        if (normal.dim() < 2 || normal.shape[0] < 2)
            throw new ArgumentException($"Need at least two normal samples as an (n, ...) tensor; got shape [{string.Join(", ", normal.shape)}].", nameof(normal));
        ImageInput? image = IsImages(normal)
            ? new ImageInput((int)normal.shape[1], (int)normal.shape[2], (int)normal.shape[3], DcganArchitecture.ImageSize)
            : null;
        Tensor prepared = new InputPipeline(image).Prepare(normal);
        try
        {
            PrincipalComponents? projection = null;
            if (components is int count)
            {
                projection = PrincipalComponents.Fit(prepared, count);
                Tensor projected = projection.Apply(prepared);
                prepared.Dispose();
                prepared = projected;
            }
            return (new InputPipeline(image, standardize ? FeatureScaling.Fit(prepared, sharedScale) : null, projection), prepared);
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>Raw images are uint8 (n, c, h, w).</summary>
    public static bool IsImages(Tensor samples) => samples.dtype == ScalarType.Byte && samples.dim() == 4;

    /// <summary>The networks' input for raw <paramref name="samples"/>, as a new float32 tensor.</summary>
    /// <param name="sampleShape">the shape one prepared sample must have (null: any).</param>
    /// <exception cref="ArgumentException">images where numbers are taken or the reverse, another image size or sample shape, or a NaN or infinite value.</exception>
    public Tensor Prepare(Tensor samples, long[]? sampleShape = null)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        if (Image is not null)
            x = Image.Prepare(samples, "the samples");
        else
        {
            if (samples.dtype == ScalarType.Byte)
                throw new ArgumentException("The detector was fitted on numbers, not uint8 images.", nameof(samples));
            x = samples.detach().to_type(ScalarType.Float32).contiguous().clone();
            if (!isfinite(x).all().item<bool>())
                throw new ArgumentException("The samples contain NaN or infinite values.", nameof(samples));
        }
        if (Projection is not null) x = Projection.Apply(x);
        if (sampleShape is not null && (x.dim() != sampleShape.Length + 1 || !x.shape[1..].SequenceEqual(sampleShape)))
            throw new ArgumentException(
                $"The detector takes samples of shape [{string.Join(", ", sampleShape)}]; got a batch of shape [{string.Join(", ", x.shape)}].",
                nameof(samples));
        if (Scaling is not null) x = Scaling.Apply(x);
        return scope.MoveToOuter(x);
    }

    /// <summary>
    /// Network-space samples (e.g. a generator's) back in the data's space: the scaling and the
    /// projection undone (a projection back to the components' span); images stay in [−1, 1].
    /// </summary>
    public Tensor ToData(Tensor samples)
    {
        using var scope = NewDisposeScope();
        Tensor x = Scaling?.Invert(samples) ?? samples.alias();
        if (Projection is not null) x = Projection.Invert(x);
        return scope.MoveToOuter(x);
    }

    /// <summary>Rows of equal length as an (n, features) tensor.</summary>
    internal static Tensor Rows(IReadOnlyList<float[]> rows, string name)
    {
        if (rows.Count == 0)
            throw new ArgumentException("Give at least one row.", name);
        int width = rows[0].Length;
        if (width == 0)
            throw new ArgumentException("The first row has no features.", name);
        for (int i = 1; i < rows.Count; i++)
            if (rows[i].Length != width)
                throw new ArgumentException($"Row {i} has {rows[i].Length} features where the first has {width}.", name);
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
            rows[i].CopyTo(flat, i * width);
        return tensor(flat, [rows.Count, width]);
    }

    /// <summary>
    /// Scores raw <paramref name="samples"/> in slices of <paramref name="batch"/>, each prepared by the
    /// pipeline, checked against <paramref name="sampleShape"/> and scored by <paramref name="score"/>
    /// without gradients, so a large set never exists in prepared form all at once.
    /// </summary>
    /// <param name="device">where <paramref name="score"/>'s network lives (null: the CPU); the scores come back to the CPU.</param>
    internal float[] ScoreInSlices(Tensor samples, long[] sampleShape, int batch, Func<Tensor, Tensor> score, Device? device = null)
    {
        if (samples.dim() < 2)
            throw new ArgumentException($"Give samples as an (n, ...) tensor; got shape [{string.Join(", ", samples.shape)}].", nameof(samples));
        var scores = new float[samples.shape[0]];
        using var _ = no_grad();
        for (long start = 0; start < scores.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            Tensor prepared = Prepare(samples.narrow(0, start, Math.Min(batch, scores.Length - start)), sampleShape);
            score(device is null ? prepared : prepared.to(device)).to_type(ScalarType.Float32).cpu().data<float>().CopyTo(scores, (int)start);
        }
        return scores;
    }
}
