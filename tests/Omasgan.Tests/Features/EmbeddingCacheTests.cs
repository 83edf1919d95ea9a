using Omasgan.Data;
using Omasgan.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests.Features;

[Collection(ResNet18Collection.Name)]
public sealed class EmbeddingCacheTests(ResNet18Fixture fixture) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("omasgan-embeddings-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_second_call_reads_the_file_instead_of_embedding()
    {
        ResNet18Embedder embedder = fixture.Embedder;
        using Tensor images = ResNet18Fixture.Images(3, 1, 28, 28, seed: 11);
        int[] labels = [0, 1, 2];
        long before = embedder.ImagesEmbedded;

        CachedEmbeddings first = EmbeddingCache.GetOrCreate(folder, "tiny-train", images, labels, embedder);
        using Tensor computed = first.Embeddings;
        CachedEmbeddings second = EmbeddingCache.GetOrCreate(folder, "tiny-train", images, labels, embedder);
        using Tensor read = second.Embeddings;

        Assert.False(first.Reused);
        Assert.Equal("no cached file", first.Reason);
        Assert.True(second.Reused);
        Assert.Null(second.Reason);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(Path.Combine(folder, "tiny-train.resnet18-64.emb"), first.Path);
        Assert.Equal(before + 3, embedder.ImagesEmbedded);
        Assert.Equal(computed.data<float>().ToArray(), read.data<float>().ToArray());
        Assert.Equal([3L, ResNet18Embedder.EmbeddingSize], read.shape);
        Assert.Single(Directory.GetFiles(folder)); // no temporary or lock file left
    }

    [Fact]
    public void Changing_one_byte_of_the_images_refuses_the_file_and_recomputes_it()
    {
        ResNet18Embedder embedder = fixture.Embedder;
        using Tensor images = ResNet18Fixture.Images(3, 1, 28, 28, seed: 12);
        using (EmbeddingCache.GetOrCreate(folder, "tiny", images, null, embedder).Embeddings) { }
        long before = embedder.ImagesEmbedded;

        images[1, 0, 14, 14] = images[1, 0, 14, 14] + 1;
        CachedEmbeddings changed = EmbeddingCache.GetOrCreate(folder, "tiny", images, null, embedder);
        changed.Embeddings.Dispose();
        CachedEmbeddings again = EmbeddingCache.GetOrCreate(folder, "tiny", images, null, embedder);
        again.Embeddings.Dispose();

        Assert.False(changed.Reused);
        Assert.Contains("the images changed", changed.Reason);
        Assert.Equal(before + 3, embedder.ImagesEmbedded);
        Assert.True(again.Reused);
    }

    [Fact]
    public void Changed_labels_and_a_damaged_file_are_refused_too()
    {
        ResNet18Embedder embedder = fixture.Embedder;
        using Tensor images = ResNet18Fixture.Images(2, 1, 28, 28, seed: 13);
        using var set = new SampleSet(images.clone(), [3, 4], "test images");
        using (EmbeddingCache.GetOrCreate(folder, "set", set, embedder).Embeddings) { }

        CachedEmbeddings relabelled = EmbeddingCache.GetOrCreate(folder, "set", images, [4, 3], embedder);
        relabelled.Embeddings.Dispose();
        Assert.Contains("the labels changed", relabelled.Reason);

        byte[] bytes = File.ReadAllBytes(relabelled.Path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(relabelled.Path, bytes);
        CachedEmbeddings damaged = EmbeddingCache.GetOrCreate(folder, "set", images, [4, 3], embedder);
        damaged.Embeddings.Dispose();
        Assert.False(damaged.Reused);
        Assert.Contains("checksum", damaged.Reason);

        File.WriteAllBytes(damaged.Path, bytes[..100]);
        CachedEmbeddings truncated = EmbeddingCache.GetOrCreate(folder, "set", images, [4, 3], embedder);
        truncated.Embeddings.Dispose();
        Assert.False(truncated.Reused);
    }

    [Fact]
    public void Names_outside_the_file_name_alphabet_are_refused()
    {
        using Tensor images = ResNet18Fixture.Images(1, 1, 28, 28, seed: 14);
        Assert.Throws<ArgumentException>(() => EmbeddingCache.GetOrCreate(folder, "../escape", images, null, fixture.Embedder));
        Assert.Throws<ArgumentException>(() => EmbeddingCache.GetOrCreate(folder, "", images, null, fixture.Embedder));
        Assert.Throws<ArgumentException>(() => EmbeddingCache.GetOrCreate(folder, "ok", images, [1, 2], fixture.Embedder));
    }
}
