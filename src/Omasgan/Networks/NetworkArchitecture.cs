using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Networks;

/// <summary>
/// Describes a generator/discriminator pair. Each stage builds its networks from the same
/// architecture, so the saved manifest is enough to rebuild every network before loading weights.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(MlpArchitecture), "mlp")]
[JsonDerivedType(typeof(DcganArchitecture), "dcgan")]
public abstract record NetworkArchitecture
{
    /// <summary>A generator mapping (n, latentDim) to (n, ...sampleShape).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape);

    /// <summary>A discriminator mapping (n, ...sampleShape) to raw outputs of shape (n).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape);

    /// <summary>Parameters of one generator plus one discriminator, computed without building them
    /// (so a manifest can be checked against its weights before anything is allocated).</summary>
    public abstract long ParameterCount(int latentDim, long[] sampleShape);

    /// <summary>Throws with a message naming the allowed range when a value is out of it.</summary>
    public abstract void Validate();
}
