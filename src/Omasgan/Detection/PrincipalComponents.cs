using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>
/// Projection of samples onto the leading principal components of the normal training data, fitted
/// with them and saved with the detector: a sample (any shape, <see cref="InputShape"/>) is flattened,
/// centred on <see cref="Mean"/> and multiplied by the components (<see cref="Count"/> rows of
/// <see cref="Features"/> numbers, in order of decreasing variance, each of unit length).
/// </summary>
public sealed record PrincipalComponents(long[] InputShape, float[] Mean, float[] Components)
{
    /// <summary>The most features a sample may have: the covariance is a Features × Features matrix.</summary>
    public const int MaxFeatures = 16_384;

    /// <summary>Numbers per sample before the projection.</summary>
    [JsonIgnore]
    public int Features => Mean.Length;

    /// <summary>Numbers per sample after the projection.</summary>
    [JsonIgnore]
    public int Count => Features == 0 ? 0 : Components.Length / Features;

    /// <summary>
    /// The leading <paramref name="count"/> components of <paramref name="data"/> (n, ...sample shape):
    /// eigenvectors of its covariance, computed in float64 by libtorch's <c>linalg.eigh</c>. Each
    /// component's sign is fixed so that its entry of largest magnitude is positive, so a fit does not
    /// depend on the solver's sign choice.
    /// </summary>
    /// <exception cref="ArgumentException">count is not in [1, min(features, n − 1)], or the samples have more than <see cref="MaxFeatures"/> numbers.</exception>
    public static PrincipalComponents Fit(Tensor data, int count)
    {
        long n = data.shape[0];
        long features = data.numel() / Math.Max(n, 1);
        if (features > MaxFeatures)
            throw new ArgumentException($"Principal components need samples of at most {MaxFeatures:N0} numbers; these have {features:N0}.", nameof(data));
        long most = Math.Min(features, n - 1);
        if (count < 1 || count > most)
            throw new ArgumentException($"Cannot keep {count} principal components of {n} samples of {features} numbers; keep 1 to {most}.", nameof(count));
        using var scope = NewDisposeScope();
        Tensor flat = data.reshape(n, features).to_type(ScalarType.Float64);
        Tensor mean = flat.mean([0]);
        Tensor centred = flat - mean;
        Tensor covariance = centred.t().mm(centred) / (n - 1);
        // eigh returns the eigenvalues in ascending order: the last columns are the leading components.
        var (_, vectors) = linalg.eigh(covariance);
        Tensor top = vectors.narrow(1, features - count, count).flip(1).t();
        Tensor largest = top.abs().argmax(1, keepdim: true);
        top = top * top.gather(1, largest).sign();
        return new PrincipalComponents(data.shape[1..],
            mean.to_type(ScalarType.Float32).data<float>().ToArray(),
            top.contiguous().to_type(ScalarType.Float32).data<float>().ToArray());
    }

    /// <summary>The projections (n, <see cref="Count"/>) of <paramref name="samples"/> (n, ...<see cref="InputShape"/>), in a new tensor.</summary>
    /// <exception cref="ArgumentException">the samples are not of <see cref="InputShape"/>.</exception>
    public Tensor Apply(Tensor samples)
    {
        if (samples.dim() != InputShape.Length + 1 || !samples.shape[1..].SequenceEqual(InputShape))
            throw new ArgumentException(
                $"The projection takes samples of shape [{string.Join(", ", InputShape)}]; got a batch of shape [{string.Join(", ", samples.shape)}].",
                nameof(samples));
        using var scope = NewDisposeScope();
        Tensor flat = samples.reshape(samples.shape[0], Features) - Vector(Mean, samples.device);
        return scope.MoveToOuter(flat.mm(Matrix(samples.device).t()));
    }

    /// <summary>Samples of <see cref="InputShape"/> back from projections (n, <see cref="Count"/>): the nearest point of the components' span.</summary>
    public Tensor Invert(Tensor projections)
    {
        using var scope = NewDisposeScope();
        Tensor flat = projections.mm(Matrix(projections.device)) + Vector(Mean, projections.device);
        return scope.MoveToOuter(flat.reshape([projections.shape[0], .. InputShape]));
    }

    /// <summary>Whether the arrays fit each other and hold finite numbers (for files read back).</summary>
    public bool IsConsistent() =>
        InputShape.Length > 0 && InputShape.All(d => d >= 1) && InputShape.Aggregate(1L, (a, b) => a * b) == Features
        && Features is >= 1 and <= MaxFeatures && Count >= 1 && Components.Length == (long)Count * Features
        && Mean.All(float.IsFinite) && Components.All(float.IsFinite);

    private Tensor Matrix(Device device) => tensor(Components, [Count, Features], device: device);

    private static Tensor Vector(float[] values, Device device) => tensor(values, device: device);
}
