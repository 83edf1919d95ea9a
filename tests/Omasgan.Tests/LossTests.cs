using Omasgan.Divergences;
using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class LossTests
{
    /// <summary>D(x) = w·x + b, so ∇_x T(D(x)) = T'(D(x)) · w.</summary>
    static nn.Module<Tensor, Tensor> LinearDiscriminator(double[] w, double b)
    {
        var linear = nn.Linear(w.Length, 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(w, dtype: ScalarType.Float64).reshape(1, -1));
            linear.bias!.fill_(b);
        }
        return nn.Sequential(linear, nn.Flatten(0));
    }

    [Fact]
    public void Gradient_penalty_of_a_linear_discriminator_is_half_gamma_times_squared_weight_norm()
    {
        var d = LinearDiscriminator([3.0, -4.0], 0.5);
        Tensor x = tensor(new double[,] { { 1, 2 }, { -1, 0.5 }, { 0, 0 } }).requires_grad_(true);
        // Pearson: T(v) = v, so every gradient is w and ‖w‖² = 25: GP = γ/2 · 25.
        Tensor gp = GradientPenalty.Compute(Divergence.Pearson.Objective(), x, d.call(x), weight: 0.4);
        Assert.Equal(0.2 * 25, gp.item<double>(), 1e-12);
    }

    [Fact]
    public void Gradient_penalty_goes_through_the_activation()
    {
        var d = LinearDiscriminator([1.0, 2.0], 0.0);
        Tensor x = tensor(new double[,] { { 0, 0 }, { 1, 1 } }).requires_grad_(true);
        // GAN: T(v) = −softplus(−v), T'(v) = sigmoid(−v). v = 0 and 3. ‖w‖² = 5.
        double s0 = 0.5, s1 = 1 / (1 + Math.Exp(3));
        double expected = 1.0 / 2 * (5 * s0 * s0 + 5 * s1 * s1) / 2;
        Tensor gp = GradientPenalty.Compute(Divergence.Gan.Objective(), x, d.call(x), weight: 1.0);
        Assert.Equal(expected, gp.item<double>(), 1e-12);
    }

    [Fact]
    public void Gradient_penalty_stays_differentiable_in_the_weights()
    {
        var d = LinearDiscriminator([3.0, -4.0], 0.5);
        Tensor x = tensor(new double[,] { { 1, 2 } }).requires_grad_(true);
        GradientPenalty.Compute(Divergence.Pearson.Objective(), x, d.call(x), weight: 2.0).backward();
        // d/dw (γ/2 ‖w‖²) = γ w.
        Tensor grad = d.parameters().First().grad!;
        Assert.Equal(new[] { 6.0, -8.0 }, grad.data<double>().ToArray());
    }

    [Fact]
    public void Nearest_data_distance_matches_hand_computed_values()
    {
        Tensor samples = tensor(new double[,] { { 0, 0 }, { 3, 4 }, { 10, 0 } });
        Tensor data = tensor(new double[,] { { 0, 1 }, { 3, 0 }, { 9, 0 } });
        // Nearest: (0,0)→(0,1) at 1; (3,4)→(3,0) at 4; (10,0)→(9,0) at 1.
        Assert.Equal(new[] { 1.0, 4.0, 1.0 }, NearestDataDistance.PerSample(samples, data, squared: false).data<double>().ToArray().Select(v => Math.Round(v, 9)));
        Assert.Equal(new[] { 1.0, 16.0, 1.0 }, NearestDataDistance.PerSample(samples, data, squared: true).data<double>().ToArray().Select(v => Math.Round(v, 9)));
        Assert.Equal(2.0, NearestDataDistance.Mean(samples, data, squared: false).item<double>(), 1e-9);
    }

    [Fact]
    public void Norms_that_do_not_fit_the_data_are_refused()
    {
        Tensor data = randn(10, 3);
        var e = Assert.Throws<ArgumentException>(() => NearestDataDistance.Mean(randn(2, 3), data, squared: true, dataSquaredNorms: randn(9)));
        Assert.Contains("9 rows do not fit data of 10 rows", e.Message);
    }

    [Fact]
    public void Chunked_nearest_data_distance_equals_unchunked_in_value_and_gradient()
    {
        manual_seed(7);
        Tensor data = randn(1000, 5, dtype: ScalarType.Float64);
        foreach (bool squared in new[] { false, true })
        {
            Tensor a = randn(16, 5, dtype: ScalarType.Float64).requires_grad_(true);
            Tensor whole = NearestDataDistance.Mean(a, data, squared, chunkSize: 1000);
            Tensor gradWhole = autograd.grad([whole], [a])[0];
            Tensor norms = NearestDataDistance.SquaredNorms(data);
            foreach (int chunk in new[] { 1, 7, 333, 999 })
            {
                // With the data's norms kept by the caller, as Stage 2 does, on every other chunk size.
                Tensor chunked = NearestDataDistance.Mean(a, data, squared, chunkSize: chunk, dataSquaredNorms: chunk % 2 == 1 ? norms : null);
                Tensor gradChunked = autograd.grad([chunked], [a])[0];
                Assert.Equal(whole.item<double>(), chunked.item<double>(), 1e-12);
                Assert.True(allclose(gradWhole, gradChunked, rtol: 0, atol: 1e-12));
            }
        }
    }

    [Fact]
    public void Nearest_data_distance_has_the_value_and_gradient_of_a_full_differentiable_minimum()
    {
        manual_seed(11);
        Tensor data = randn(500, 7, dtype: ScalarType.Float64);
        foreach (bool squared in new[] { false, true })
        {
            Tensor a = randn(9, 7, dtype: ScalarType.Float64).requires_grad_(true);
            Tensor distances = cdist(a, data);
            Tensor bruteForce = (squared ? distances.square() : distances).min(1).values.mean();
            Tensor gradBrute = autograd.grad([bruteForce], [a])[0];
            Tensor ours = NearestDataDistance.Mean(a, data, squared, chunkSize: 64);
            Tensor gradOurs = autograd.grad([ours], [a])[0];
            Assert.Equal(bruteForce.item<double>(), ours.item<double>(), 1e-10);
            Assert.True(allclose(gradBrute, gradOurs, rtol: 1e-8, atol: 1e-10));
        }
    }

    [Fact]
    public void Nearest_data_distance_flattens_images()
    {
        Tensor samples = zeros(2, 1, 2, 2, dtype: ScalarType.Float64);
        Tensor data = ones(3, 1, 2, 2, dtype: ScalarType.Float64);
        // Each 4-pixel image is at distance sqrt(4) = 2 from the all-ones image.
        Assert.Equal(2.0, NearestDataDistance.Mean(samples, data, squared: false).item<double>(), 1e-9);
    }

    [Fact]
    public void Scattering_averages_over_all_ordered_pairs()
    {
        Tensor z = tensor(new double[,] { { 0, 0 }, { 1, 0 }, { 0, 2 } });
        Tensor s = tensor(new double[,] { { 0, 0 }, { 2, 0 }, { 0, 1 } });
        // Pairs (0,1): 1/2, (0,2): 2/1, (1,2): √5/√5 = 1; each counted twice: mean = (0.5 + 2 + 1) / 3.
        double expected = (0.5 + 2 + 1) / 3;
        Assert.Equal(expected, Scattering.Compute(z, s, squared: false, epsilon: 0).item<double>(), 1e-9);
        // Squared: 1/4, 4/1, 5/5.
        Assert.Equal((0.25 + 4 + 1) / 3, Scattering.Compute(z, s, squared: true, epsilon: 0).item<double>(), 1e-9);
    }

    [Fact]
    public void Scattering_by_shape_counts_samples_that_differ_only_in_brightness_as_one()
    {
        Tensor z = tensor(new double[,] { { 0, 0 }, { 3, 4 }, { 0, 1 } });
        // Offsets from the reference −1: (2, 0), (1, 0) (the first, half as bright) and (0, 3).
        Tensor s = tensor(new double[,] { { 1, -1 }, { 0, -1 }, { -1, 2 } });
        // Rescaled to the mean offset norm (2 + 1 + 3) / 3 = 2: (2, 0), (2, 0), (0, 2). Pair (0,1): 5 / (0 + ε);
        // (0,2): 1 / (√8 + ε); (1,2): √18 / (√8 + ε). Each ordered pair twice, so the mean is over these three.
        double epsilon = 0.5;
        double expected = (5 / epsilon + 1 / (Math.Sqrt(8) + epsilon) + Math.Sqrt(18) / (Math.Sqrt(8) + epsilon)) / 3;
        Assert.Equal(expected, Scattering.Compute(z, s, squared: false, epsilon: epsilon, shapeReference: -1).item<double>(), 1e-5);
        // Plain distances see the brightness: pair (0,1) is 1 apart.
        double plain = (5 / 1.0 + 1 / Math.Sqrt(13) + Math.Sqrt(18) / Math.Sqrt(10)) / 3;
        Assert.Equal(plain, Scattering.Compute(z, s, squared: false, epsilon: 0).item<double>(), 1e-9);
    }

    [Fact]
    public void Scattering_by_shape_equals_plain_scattering_when_every_sample_is_equally_bright()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        Tensor z = randn(6, 3, generator: generator, dtype: ScalarType.Float64);
        Tensor offsets = rand(6, 10, generator: generator, dtype: ScalarType.Float64);
        Tensor s = offsets / offsets.norm(1, keepdim: true) * 4 - 1;
        Assert.Equal(Scattering.Compute(z, s, squared: true).item<double>(),
            Scattering.Compute(z, s, squared: true, shapeReference: -1).item<double>(), 1e-9);
        // B's gradient through the shape term is finite and moves the samples.
        Tensor leaf = s.detach().requires_grad_(true);
        Scattering.Compute(z, leaf, squared: false, shapeReference: -1).backward();
        Assert.True(leaf.grad!.isfinite().all().item<bool>() && leaf.grad!.abs().sum().item<double>() > 0);
    }

    [Fact]
    public void Scattering_rejects_a_single_sample() =>
        Assert.Throws<ArgumentException>(() => Scattering.Compute(zeros(1, 2), zeros(1, 2), squared: false));

    /// <summary>Pearson χ² (T(v) = v, F*(v) = v²/4 + v) on small tensors, every weight different, worked out by hand.</summary>
    [Fact]
    public void Stage_losses_equal_hand_computed_values()
    {
        static Tensor T(params double[] values) => tensor(values, dtype: ScalarType.Float64);
        IAdversarialObjective f = Divergence.Pearson.Objective();
        // F*(2) = 3, F*(−2) = −1; mean T([1, 3]) = 2.
        Assert.Equal(3 - 2, StageLosses.FGanDiscriminator(f, T(1, 3), T(2)).item<double>(), 1e-12);
        Assert.Equal(-(3 - 1) / 2.0, StageLosses.FGanGenerator(f, T(2, -2)).item<double>(), 1e-12);
        Assert.Equal(3 + 2 * 0.5 + 4 * 0.25, StageLosses.BoundaryGenerator(f, T(2), T(0.5), T(0.25), mu: 2, nu: 4).item<double>(), 1e-12);
        // β·F*(G′) + γ_b·mean F*(B) − δ·mean T(G) − α·mean T(x) = 1.0·3 + 0.7·1 − 0.4·0.5 − 0.3·2.
        Assert.Equal(2.9, StageLosses.RetrainingDiscriminator(f, onReal: T(1, 3), onStage1Samples: T(0.5), onOwnSamples: T(2),
            onBoundary: T(-2, 2), alpha: 0.3, beta: 1.0, gammaBoundary: 0.7, delta: 0.4).item<double>(), 1e-12);
        // (1 − ζ)·F*(G′) + ζ·F*(x) − mean T(B) = 0.1·(−1) + 0.9·3 − 2.
        Assert.Equal(0.6, StageLosses.Scorer(f, onReal: T(2), onOwnSamples: T(-2), onBoundary: T(1, 3), zeta: 0.9).item<double>(), 1e-12);
        // Moved samples take 0.25 of the anomalous side: − 0.75·mean T(B) − 0.25·mean T(moved), T(v) = v (Pearson).
        Assert.Equal(-0.1 + 2.7 - 0.75 * 2 - 0.25 * 6, StageLosses.Scorer(f, onReal: T(2), onOwnSamples: T(-2), onBoundary: T(1, 3), zeta: 0.9,
            onMoved: T(4, 8), movedShare: 0.25).item<double>(), 1e-12);
    }

    /// <summary>An objective whose terms depend on the whole batch: each is the batch's maximum, signed.</summary>
    private sealed class BatchMaximum : IAdversarialObjective
    {
        public Tensor RealTerm(Tensor onReal) => -onReal.max();
        public Tensor FakeTerm(Tensor onFake) => onFake.max();
        public Tensor GeneratorTerm(Tensor onFake) => -2 * onFake.max();
        public Tensor PenaltyOutput(Tensor v) => v;
    }

    [Fact]
    public void Stage_losses_take_batch_level_terms_of_any_objective()
    {
        static Tensor T(params double[] values) => tensor(values, dtype: ScalarType.Float64);
        var f = new BatchMaximum();
        Assert.Equal(2 - 3, StageLosses.FGanDiscriminator(f, T(1, 3), T(2, -5)).item<double>(), 1e-12);
        Assert.Equal(-4, StageLosses.FGanGenerator(f, T(2, -2)).item<double>(), 1e-12);
        // B plays the generator's game reversed: +2·max, plus μ·0.5 + ν·0.25.
        Assert.Equal(4 + 1 + 1, StageLosses.BoundaryGenerator(f, T(2, 1), T(0.5), T(0.25), mu: 2, nu: 4).item<double>(), 1e-12);
        // β·max(G′) + γ_b·max(B) − δ·max(G) − α·max(x) = 1·2 + 0.7·2 − 0.4·0.5 − 0.3·3.
        Assert.Equal(2 + 1.4 - 0.2 - 0.9, StageLosses.RetrainingDiscriminator(f, onReal: T(1, 3), onStage1Samples: T(0.5), onOwnSamples: T(2),
            onBoundary: T(-2, 2), alpha: 0.3, beta: 1.0, gammaBoundary: 0.7, delta: 0.4).item<double>(), 1e-12);
        // (1 − ζ)·max(G′) + ζ·max(x) − max(B) = 0.1·(−2) + 0.9·2 − 3.
        Assert.Equal(-0.2 + 1.8 - 3, StageLosses.Scorer(f, onReal: T(2), onOwnSamples: T(-2), onBoundary: T(1, 3), zeta: 0.9).item<double>(), 1e-12);
    }
}
