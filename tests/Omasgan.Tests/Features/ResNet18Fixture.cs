using Omasgan.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests.Features;

/// <summary>One small-input embedder shared by the feature tests (starting a session takes a second or two).</summary>
public sealed class ResNet18Fixture : IDisposable
{
    /// <summary>64×64 input, batch 2, so that a handful of images spans several batches and a partial one.</summary>
    public ResNet18Embedder Embedder { get; } = ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 64, BatchSize = 2 });

    /// <summary>Seeded random uint8 images (n, channels, height, width).</summary>
    public static Tensor Images(int n, int channels, int height, int width, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[n * channels * height * width];
        rng.NextBytes(bytes);
        return tensor(bytes, [n, channels, height, width]);
    }

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
    public const string Name = "ResNet-18 embedder";
}
