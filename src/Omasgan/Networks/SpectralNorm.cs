using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Omasgan.Networks;

/// <summary>
/// A convolution or linear layer with spectral normalisation (Miyato et al., 2018): its weight W
/// (viewed as a matrix of one row per output) is divided by σ, an estimate of W's largest singular
/// value. σ = uᵀWv comes from power iteration on persistent unit vectors u and v: one iteration per
/// forward pass in training mode, none in eval mode. u and v are buffers, so they are saved with
/// the model and restored by checkpoints; the gradient flows through W in σ but not through u and v.
/// TorchSharp 0.107 has no spectral normalisation of its own.
/// </summary>
public sealed class SpectralNormLayer : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor, Tensor?, Tensor> layerFunction;

    private SpectralNormLayer(string name, Module<Tensor, Tensor> layer, Tensor weight, Tensor? bias,
        Func<Tensor, Tensor, Tensor?, Tensor> apply) : base(name)
    {
        layerFunction = apply;
        // The weights start as the plain layer's would (same initialisation, same random draws).
        register_parameter("weight", new Parameter(weight.detach().clone()));
        if (bias is not null)
            register_parameter("bias", new Parameter(bias.detach().clone()));
        long rows = weight.shape[0], columns = weight.numel() / rows;
        layer.Dispose();
        register_buffer("u", functional.normalize(randn(rows), dim: 0, eps: Epsilon));
        register_buffer("v", functional.normalize(randn(columns), dim: 0, eps: Epsilon));
        PowerIterate(InitialIterations);
    }

    /// <summary>Power iterations run when the layer is made, so that σ is close from the first step (as PyTorch's spectral norm does).</summary>
    public const int InitialIterations = 15;

    private const double Epsilon = 1e-12;

    /// <summary>A spectrally normalised 2-D convolution (square kernel).</summary>
    public static SpectralNormLayer Conv2d(long inputs, long outputs, long kernel, long stride = 1, long padding = 0)
    {
        var layer = nn.Conv2d(inputs, outputs, kernel, stride: stride, padding: padding);
        return new SpectralNormLayer("SpectralNormConv2d", layer, layer.weight!, layer.bias,
            (x, w, b) => functional.conv2d(x, w, b, strides: [stride, stride], padding: [padding, padding]));
    }

    /// <summary>A spectrally normalised linear layer.</summary>
    public static SpectralNormLayer Linear(long inputs, long outputs)
    {
        var layer = nn.Linear(inputs, outputs);
        return new SpectralNormLayer("SpectralNormLinear", layer, layer.weight!, layer.bias, functional.linear);
    }

    /// <summary>The unnormalised weight W.</summary>
    public Tensor Weight => get_parameter("weight")!;

    /// <summary>The current estimate of W's largest singular value (no iteration, no gradient).</summary>
    public float Sigma
    {
        get
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            return Estimate(Matrix(), get_buffer("u")!, get_buffer("v")!).item<float>();
        }
    }

    /// <summary>W / σ; in training mode after one power iteration that updates u and v.</summary>
    public Tensor NormalizedWeight()
    {
        Tensor weight = Weight, matrix = Matrix();
        Tensor u = get_buffer("u")!, v = get_buffer("v")!;
        if (training)
        {
            PowerIterate(1);
            // The graph keeps copies: a later forward pass updates u and v in place before this
            // pass's backward (and the gradient penalty's double backward) has run.
            u = u.clone();
            v = v.clone();
        }
        return weight / Estimate(matrix, u, v);
    }

    /// <summary><paramref name="iterations"/> power iterations on the current weight, updating u and v.</summary>
    internal void PowerIterate(int iterations)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Tensor matrix = Matrix(), u = get_buffer("u")!, v = get_buffer("v")!;
        for (int i = 0; i < iterations; i++)
        {
            v.copy_(functional.normalize(matrix.t().mv(u), dim: 0, eps: Epsilon));
            u.copy_(functional.normalize(matrix.mv(v), dim: 0, eps: Epsilon));
        }
    }

    /// <summary>Negates u, so that after W is negated σ keeps its sign and the layer's output is negated.</summary>
    internal void NegateVector()
    {
        using var _ = no_grad();
        get_buffer("u")!.neg_();
    }

    public override Tensor forward(Tensor x) => layerFunction(x, NormalizedWeight(), get_parameter("bias"));

    private Tensor Matrix() => Weight.reshape(Weight.shape[0], -1);

    private static Tensor Estimate(Tensor matrix, Tensor u, Tensor v) => u.dot(matrix.mv(v));
}
