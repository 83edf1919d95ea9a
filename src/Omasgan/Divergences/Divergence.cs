using static TorchSharp.torch;

namespace Omasgan.Divergences;

/// <summary>The f-divergence used in its variational form by every stage.</summary>
public enum Divergence
{
    /// <summary>Pearson χ² (default: best in Table 4 of Nowozin et al., 2016).</summary>
    Pearson,
    KullbackLeibler,
    ReverseKullbackLeibler,
    Neyman,
    SquaredHellinger,
    JensenShannon,
    /// <summary>The original GAN objective.</summary>
    Gan,
}

/// <summary>
/// Output activation T(v) and conjugate F*(v) = f*(T(v)) of each divergence, applied to a
/// discriminator's raw output v (table in the method specification).
/// </summary>
public static class DivergenceFunctions
{
    static readonly double Log2 = Math.Log(2.0);

    /// <summary>T(v): the discriminator's output mapped into the conjugate's domain.</summary>
    public static Tensor Activation(this Divergence divergence, Tensor v) => divergence switch
    {
        Divergence.Pearson or Divergence.KullbackLeibler => v.alias(),
        Divergence.ReverseKullbackLeibler => -v.exp(),
        Divergence.Neyman or Divergence.SquaredHellinger => 1 - v.exp(),
        Divergence.JensenShannon => Log2 - nn.functional.softplus(-v),
        Divergence.Gan => -nn.functional.softplus(-v),
        _ => throw new ArgumentOutOfRangeException(nameof(divergence), divergence, null),
    };

    /// <summary>F*(v) = f*(T(v)).</summary>
    public static Tensor Conjugate(this Divergence divergence, Tensor v) => divergence switch
    {
        Divergence.Pearson => v.square() / 4 + v,
        Divergence.KullbackLeibler => (v - 1).exp(),
        Divergence.ReverseKullbackLeibler => -1 - v,
        Divergence.Neyman => 2 - 2 * (v / 2).exp(),
        Divergence.SquaredHellinger => (-v).exp() - 1,
        Divergence.JensenShannon => nn.functional.softplus(v) - Log2,
        Divergence.Gan => nn.functional.softplus(v),
        _ => throw new ArgumentOutOfRangeException(nameof(divergence), divergence, null),
    };

    /// <summary>The command-line name of each divergence, as in the specification.</summary>
    public static string CliName(this Divergence divergence) => divergence switch
    {
        Divergence.Pearson => "pearson",
        Divergence.KullbackLeibler => "kl",
        Divergence.ReverseKullbackLeibler => "reverse-kl",
        Divergence.Neyman => "neyman",
        Divergence.SquaredHellinger => "squared-hellinger",
        Divergence.JensenShannon => "jensen-shannon",
        Divergence.Gan => "gan",
        _ => throw new ArgumentOutOfRangeException(nameof(divergence), divergence, null),
    };

    /// <summary>Parses a command-line name; the error lists the allowed names.</summary>
    public static Divergence Parse(string name)
    {
        foreach (Divergence d in Enum.GetValues<Divergence>())
            if (string.Equals(d.CliName(), name, StringComparison.OrdinalIgnoreCase))
                return d;
        throw new ArgumentException(
            $"Unknown divergence '{name}'; allowed: {string.Join(", ", Enum.GetValues<Divergence>().Select(d => d.CliName()))}.");
    }
}
