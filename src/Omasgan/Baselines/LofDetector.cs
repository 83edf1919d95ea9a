using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// Local outlier factor (Breunig et al., SIGMOD 2000) in novelty mode, as scikit-learn's
/// <c>LocalOutlierFactor(novelty=True)</c> scores new samples: with N_k the k nearest normal training
/// samples, the reachability distance reach(a, o) = max(k-distance(o), d(a, o)), the local reachability
/// density lrd(a) = 1 / (mean over o in N_k(a) of reach(a, o) + 1e-10), and the score
/// LOF(x) = mean over o in N_k(x) of lrd(o) / lrd(x): about 1 inside the data, larger where x is less
/// dense than its neighbours. A training sample's own neighbourhood leaves the sample itself out.
/// </summary>
public sealed class LofDetector : NeighbourBaseline
{
    private const double DensityEpsilon = 1e-10;
    /// <summary>Each training sample's k-distance (to its k-th nearest other training sample).</summary>
    private readonly Tensor kDistance;
    /// <summary>Each training sample's local reachability density.</summary>
    private readonly Tensor density;

    private LofDetector(InputPipeline input, Tensor normal, int neighbours) : base(input, normal, neighbours)
    {
        if (neighbours < 1 || neighbours >= normal.shape[0])
            throw new ArgumentException($"LOF with k = {neighbours} neighbours needs more than k normal samples; got {normal.shape[0]}.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (distances, indices) = NeighbourhoodInSlices(normal, leaveSelfOut: true);
        kDistance = scope.MoveToOuter(distances.select(1, neighbours - 1).contiguous());
        density = scope.MoveToOuter(Density(distances, indices));
    }

    public override string Name => BaselineDetectors.Lof;
    protected override string Title => "LOF";

    internal static LofDetector Fit(InputPipeline input, Tensor prepared, int neighbours) =>
        new(input, prepared.to_type(ScalarType.Float32).contiguous().clone(), neighbours);

    /// <summary>lrd of samples whose k nearest training samples lie at <paramref name="distances"/>, with indices <paramref name="indices"/>.</summary>
    private Tensor Density(Tensor distances, Tensor indices) =>
        1.0 / (maximum(kDistance.take(indices), distances).mean([1]) + DensityEpsilon);

    protected override Tensor ScoreBatch(Tensor prepared) => Factor(prepared, leaveSelfOut: false);

    protected override Tensor TrainingScoreBatch(Tensor prepared) => Factor(prepared, leaveSelfOut: true);

    private Tensor Factor(Tensor prepared, bool leaveSelfOut)
    {
        var (distances, indices) = Neighbourhood(prepared, leaveSelfOut);
        return density.take(indices).mean([1]) / Density(distances, indices);
    }

    internal static LofDetector Load(string directory, InputPipeline input, BaselineManifest manifest) =>
        new LofDetector(input, LoadNormal(directory, manifest, extra: 1), manifest.Neighbours).Restored<LofDetector>(manifest);

    public override void Dispose()
    {
        kDistance.Dispose();
        density.Dispose();
        base.Dispose();
    }
}
