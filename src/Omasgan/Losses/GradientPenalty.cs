using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>R1-style penalty on real data: GP(x) = (γ/2) · mean_i ‖∇_x T(D(x_i))‖², T the objective's <see cref="IAdversarialObjective.PenaltyOutput"/>.</summary>
public static class GradientPenalty
{
    /// <summary>
    /// The penalty for inputs <paramref name="x"/> (which must require grad) whose discriminator
    /// output is <paramref name="output"/> = D(x). The result stays differentiable with respect to
    /// the discriminator's parameters.
    /// </summary>
    public static Tensor Compute(IAdversarialObjective objective, Tensor x, Tensor output, double weight)
    {
        if (!x.requires_grad)
            throw new ArgumentException("The inputs must require grad for the gradient penalty.", nameof(x));
        Tensor activated = objective.PenaltyOutput(output).sum();
        // TorchSharp does not infer retain_graph from create_graph, unlike PyTorch.
        Tensor grad = autograd.grad([activated], [x], retain_graph: true, create_graph: true)[0];
        Tensor squaredNorms = grad.reshape(grad.shape[0], -1).square().sum(1);
        return weight / 2 * squaredNorms.mean();
    }
}
