using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>Rejection sampling of anomalies: proposals are kept only where they lie off the normal support.</summary>
internal static class OffSupportSampling
{
    /// <summary>
    /// Appends <paramref name="wanted"/> points to <paramref name="accepted"/> (flattened row by row),
    /// drawn by <paramref name="propose"/>(n) and kept where <paramref name="isOffSupport"/> is true.
    /// </summary>
    public static void Accept(int wanted, Func<int, Tensor> propose, Func<Tensor, Tensor> isOffSupport, List<float> accepted)
    {
        int have = 0;
        while (have < wanted)
        {
            using var scope = NewDisposeScope();
            Tensor candidates = propose(Math.Max(64, 2 * (wanted - have)));
            Tensor kept = candidates.index_select(0, isOffSupport(candidates).nonzero().squeeze(1));
            int take = (int)Math.Min(kept.shape[0], wanted - have);
            accepted.AddRange(kept.narrow(0, 0, take).contiguous().data<float>());
            have += take;
        }
    }
}
