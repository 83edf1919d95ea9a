using Omasgan.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>
/// The networks of all four stages, kept as separate modules (the original shared one object
/// between models, so loaded weights overwrote each other), plus the training scores that
/// contamination thresholds are read from. Saved and loaded as one state dictionary.
/// </summary>
internal sealed class OmasganNetworks : nn.Module
{
    /// <summary>Stage 1 generator G and discriminator D.</summary>
    public readonly nn.Module<Tensor, Tensor> Generator;
    public readonly nn.Module<Tensor, Tensor> Discriminator;
    /// <summary>Stage 2 boundary generator B and the discriminator it trained against.</summary>
    public readonly nn.Module<Tensor, Tensor> Boundary;
    public readonly nn.Module<Tensor, Tensor> BoundaryDiscriminator;
    /// <summary>Stage 3 G′ and D′.</summary>
    public readonly nn.Module<Tensor, Tensor> RetrainedGenerator;
    public readonly nn.Module<Tensor, Tensor> RetrainedDiscriminator;
    /// <summary>Stage 4 scorer S.</summary>
    public readonly nn.Module<Tensor, Tensor> Scorer;
    /// <summary>The moving average of G's weights, when Stage 1 keeps one.</summary>
    public readonly nn.Module<Tensor, Tensor>? GeneratorAverage;

    public OmasganNetworks(NetworkArchitecture architecture, int latentDim, long[] sampleShape, bool averageGenerator = false)
        : base(nameof(OmasganNetworks))
    {
        Generator = architecture.CreateGenerator(latentDim, sampleShape);
        Discriminator = architecture.CreateDiscriminator(sampleShape);
        Boundary = architecture.CreateGenerator(latentDim, sampleShape);
        BoundaryDiscriminator = architecture.CreateDiscriminator(sampleShape);
        RetrainedGenerator = architecture.CreateGenerator(latentDim, sampleShape);
        RetrainedDiscriminator = architecture.CreateDiscriminator(sampleShape);
        Scorer = architecture.CreateDiscriminator(sampleShape);
        register_module("generator", Generator);
        register_module("discriminator", Discriminator);
        register_module("boundary", Boundary);
        register_module("boundary_discriminator", BoundaryDiscriminator);
        register_module("retrained_generator", RetrainedGenerator);
        register_module("retrained_discriminator", RetrainedDiscriminator);
        register_module("scorer", Scorer);
        if (averageGenerator)
        {
            GeneratorAverage = architecture.CreateGenerator(latentDim, sampleShape);
            register_module("generator_average", GeneratorAverage);
        }
    }

    /// <summary>The networks <paramref name="options"/> train: with a moving average of G when Stage 1 keeps one.</summary>
    public static OmasganNetworks For(OmasganOptions options, int latentDim, long[] sampleShape) =>
        new(options.Architecture, latentDim, sampleShape, options.FGan.AverageDecay > 0);

    /// <summary>
    /// Negates a network's output by negating its last weight and bias, which every architecture
    /// here registers last (a final linear layer).
    /// </summary>
    public static void NegateOutput(nn.Module network)
    {
        using var _ = no_grad();
        var parameters = network.named_parameters().ToList();
        if (parameters.Count < 2 || !parameters[^1].name.EndsWith("bias") || !parameters[^2].name.EndsWith("weight"))
            throw new InvalidOperationException("The network does not end with a linear layer.");
        parameters[^1].parameter.neg_();
        parameters[^2].parameter.neg_();
        // A spectrally normalised layer divides by σ = uᵀWv, which −W alone would negate too.
        string owner = parameters[^1].name[..^"bias".Length].TrimEnd('.');
        if (network.named_modules().FirstOrDefault(m => m.name == owner).module is SpectralNormLayer last)
            last.NegateVector();
    }

    /// <summary>Copies the weights of <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static void CopyWeights(nn.Module source, nn.Module target)
    {
        using var _ = no_grad();
        var targetState = target.state_dict();
        foreach (var (name, tensor) in source.state_dict())
            targetState[name].copy_(tensor);
    }
}
