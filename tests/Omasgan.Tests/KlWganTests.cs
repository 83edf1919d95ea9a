using Omasgan.Detection;
using Omasgan.Divergences;
using Omasgan.Losses;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class KlWganTests
{
    static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Weights_are_the_batch_normalised_exponentials_of_v_over_tau()
    {
        // τ = 2, v = (0, 2, 4): exp(v/τ) = (1, e, e²), mean m = (1 + e + e²)/3, w = exp(v/τ)/m.
        var objective = new KlWganObjective(Temperature: 2);
        double e = Math.E, m = (1 + e + e * e) / 3;
        float[] w = Values(objective.Weights(tensor(new float[] { 0, 2, 4 })));
        double[] expected = [1 / m, e / m, e * e / m];
        for (int i = 0; i < 3; i++)
            Assert.Equal(expected[i], w[i], 5);
        Assert.Equal(3, w.Sum(), 5);
    }

    [Fact]
    public void Weights_of_a_batch_with_one_huge_score_do_not_overflow()
    {
        // exp(1000/5) = e²⁰⁰ overflows float32; the weights are still (≈0, 3, ≈0): the huge score takes all of the batch's mass.
        var objective = new KlWganObjective();
        Tensor v = tensor(new float[] { 0, 1000, 0 });
        Assert.True(float.IsInfinity(Values((v / 5).exp())[1]));
        float[] w = Values(objective.Weights(v));
        Assert.All(w, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(3, w[1], 3);   // float32 ulp at 200 is 1.5e-5
        Assert.Equal(0, w[0], 6);
    }

    [Fact]
    public void Hinge_terms_equal_hand_computed_values()
    {
        // τ = 1, fake v = (0, ln 3): exp v = (1, 3), mean 2, w = (0.5, 1.5), w·v = (0, 1.5 ln 3).
        var objective = new KlWganObjective(Temperature: 1);
        Tensor fake = tensor(new float[] { 0, (float)Math.Log(3) });
        double wv = 1.5 * Math.Log(3);
        Assert.Equal((1 + (1 + wv)) / 2, objective.FakeTerm(fake).item<float>(), 5);
        Assert.Equal(-wv / 2, objective.GeneratorTerm(fake).item<float>(), 5);
        // real v = (0.5, 2, −1): relu(1 − v) = (0.5, 0, 2).
        Assert.Equal(2.5 / 3, objective.RealTerm(tensor(new float[] { 0.5f, 2, -1 })).item<float>(), 5);
    }

    [Fact]
    public void The_weights_stay_in_the_gradient()
    {
        // d/dv of −mean(w·v) differs from −mean's −1/n when w depends on v (as in the original, not detached).
        var objective = new KlWganObjective(Temperature: 1);
        Tensor v = tensor(new float[] { 0, 1 }).requires_grad_(true);
        objective.GeneratorTerm(v).backward();
        Assert.NotEqual(-0.5f, Values(v.grad!)[1], 3);
    }

    [Fact]
    public void Options_select_the_objective_and_check_the_temperature()
    {
        Assert.IsType<KlWganObjective>(new OmasganOptions { Loss = AdversarialLoss.KlWgan }.Objective());
        Assert.Equal(new FDivergenceObjective(Divergence.Neyman), new OmasganOptions { Divergence = Divergence.Neyman }.Objective());
        Assert.Throws<InvalidOptionException>(() => new OmasganOptions { Temperature = 0 }.Validate());
    }
}
