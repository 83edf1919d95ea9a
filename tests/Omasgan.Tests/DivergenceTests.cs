using Omasgan.Divergences;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class DivergenceTests
{
    static readonly double[] Points = [-1.5, -0.3, 0.0, 0.7, 2.0];

    /// <summary>T(v), T'(v), F*(v), F*'(v) in closed form, from the specification's table.</summary>
    public static TheoryData<Divergence> All => new(Enum.GetValues<Divergence>());

    static (double T, double DT, double F, double DF) ClosedForm(Divergence d, double v)
    {
        double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));
        double Softplus(double a) => Math.Log(1 + Math.Exp(a));
        return d switch
        {
            Divergence.Pearson => (v, 1, v * v / 4 + v, v / 2 + 1),
            Divergence.KullbackLeibler => (v, 1, Math.Exp(v - 1), Math.Exp(v - 1)),
            Divergence.ReverseKullbackLeibler => (-Math.Exp(v), -Math.Exp(v), -1 - v, -1),
            Divergence.Neyman => (1 - Math.Exp(v), -Math.Exp(v), 2 - 2 * Math.Exp(v / 2), -Math.Exp(v / 2)),
            Divergence.SquaredHellinger => (1 - Math.Exp(v), -Math.Exp(v), Math.Exp(-v) - 1, -Math.Exp(-v)),
            Divergence.JensenShannon => (Math.Log(2) - Softplus(-v), Sigmoid(-v), Softplus(v) - Math.Log(2), Sigmoid(v)),
            Divergence.Gan => (-Softplus(-v), Sigmoid(-v), Softplus(v), Sigmoid(v)),
            _ => throw new ArgumentOutOfRangeException(nameof(d)),
        };
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Activation_and_conjugate_match_closed_forms_in_value_and_slope(Divergence divergence)
    {
        foreach (double v in Points)
        {
            var expected = ClosedForm(divergence, v);
            (double t, double dt) = ValueAndSlope(x => divergence.Activation(x), v);
            (double f, double df) = ValueAndSlope(x => divergence.Conjugate(x), v);
            Assert.Equal(expected.T, t, 1e-9);
            Assert.Equal(expected.DT, dt, 1e-9);
            Assert.Equal(expected.F, f, 1e-9);
            Assert.Equal(expected.DF, df, 1e-9);
        }
    }

    /// <summary>The generator f(u) of each f-divergence (Nowozin et al. 2016, Table 1), from which F* follows independently of the table.</summary>
    static double Generator(Divergence d, double u) => d switch
    {
        Divergence.Pearson => (u - 1) * (u - 1),
        Divergence.KullbackLeibler => u * Math.Log(u),
        Divergence.ReverseKullbackLeibler => -Math.Log(u),
        Divergence.Neyman => (1 - u) * (1 - u) / u,
        Divergence.SquaredHellinger => (Math.Sqrt(u) - 1) * (Math.Sqrt(u) - 1),
        Divergence.JensenShannon => u * Math.Log(u) - (u + 1) * Math.Log((u + 1) / 2),
        Divergence.Gan => u * Math.Log(u) - (u + 1) * Math.Log(u + 1),
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>
    /// The convex conjugate f*(t) = sup over u &gt; 0 of (t·u − f(u)), found numerically: the objective is
    /// concave in u, so a golden-section search over log u finds its maximum.
    /// </summary>
    static double ConjugateByDefinition(Divergence d, double t)
    {
        double Objective(double logU) => t * Math.Exp(logU) - Generator(d, Math.Exp(logU));
        double lo = -30, hi = 30, ratio = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 300; i++)
        {
            double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
            if (Objective(a) < Objective(b)) lo = a; else hi = b;
        }
        return Objective((lo + hi) / 2);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Conjugate_is_the_convex_conjugate_of_the_generator_at_the_activation(Divergence divergence)
    {
        foreach (double v in Points)
        {
            using var scope = NewDisposeScope();
            Tensor x = tensor(v, dtype: ScalarType.Float64);
            double t = divergence.Activation(x).item<double>();
            double expected = ConjugateByDefinition(divergence, t);
            Assert.Equal(expected, divergence.Conjugate(x).item<double>(), 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Names_round_trip(Divergence divergence) =>
        Assert.Equal(divergence, DivergenceFunctions.Parse(divergence.CliName()));

    [Fact]
    public void Unknown_name_lists_the_allowed_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DivergenceFunctions.Parse("wasserstein"));
        Assert.Contains("pearson", e.Message);
        Assert.Contains("jensen-shannon", e.Message);
    }

    static (double Value, double Slope) ValueAndSlope(Func<Tensor, Tensor> f, double v)
    {
        using var scope = NewDisposeScope();
        Tensor x = tensor(v, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor y = f(x);
        Tensor slope = autograd.grad([y], [x])[0];
        return (y.item<double>(), slope.item<double>());
    }
}
