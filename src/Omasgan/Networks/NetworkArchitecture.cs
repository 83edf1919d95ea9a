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
[JsonDerivedType(typeof(BigGanArchitecture), "biggan")]
public abstract record NetworkArchitecture
{
    /// <summary>A generator mapping (n, latentDim) to (n, ...sampleShape).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape);

    /// <summary>A discriminator mapping (n, ...sampleShape) to raw outputs of shape (n).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape);

    /// <summary>Parameters of one generator plus one discriminator, computed without building them
    /// (so a manifest can be checked against its weights before anything is allocated).</summary>
    public abstract long ParameterCount(int latentDim, long[] sampleShape);

    /// <summary>
    /// Floating-point operations of one forward pass of one sample through the generator and through
    /// the discriminator, counted from the layer shapes (convolutions and linear layers: two per
    /// multiply-add; normalisation and activations are left out).
    /// </summary>
    public abstract (long Generator, long Discriminator) ForwardFlops(int latentDim, long[] sampleShape);

    /// <summary>Throws with a message naming the allowed range when a value is out of it.</summary>
    public abstract void Validate();

    /// <summary>
    /// Whether a discriminator update scores its real and generated batches in one forward pass. Only
    /// for a discriminator whose output for a sample does not depend on the rest of its batch (no batch
    /// norm): then one pass is the same function as separate ones, and faster on a CPU.
    /// </summary>
    [JsonIgnore]
    public virtual bool ScoresBatchesTogether => false;
}

/// <summary>Floating-point operations of one sample through one layer (two per multiply-add).</summary>
public static class LayerFlops
{
    public static long Linear(long inputs, long outputs) => 2 * inputs * outputs;

    /// <summary>A convolution producing <paramref name="outputSide"/>² positions, each a kernel² × inputs dot product per output channel.</summary>
    public static long Conv2d(long inputs, long outputs, long kernel, long outputSide) =>
        2 * inputs * outputs * kernel * kernel * outputSide * outputSide;

    /// <summary>A transposed convolution: every input position scatters a kernel² × outputs patch.</summary>
    public static long ConvTranspose2d(long inputs, long outputs, long kernel, long inputSide) =>
        2 * inputs * outputs * kernel * kernel * inputSide * inputSide;
}
