using Microsoft.ML.OnnxRuntime;
using Omasgan.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests.Features;

[Collection(ResNet18Collection.Name)]
public sealed class ResNet18EmbedderTests(ResNet18Fixture fixture)
{
    /// <summary>
    /// The rewritten graph (symbolic batch and size, global average pool) against the unmodified model
    /// file at 224×224, on the same preprocessed input. Outputs are up to about 10; ONNX Runtime's
    /// kernels for a batch of 3 and for single images differ by a few 1e-6.
    /// </summary>
    private const float AgreementTolerance = 1e-4f;

    [Fact]
    public void Grey_images_give_512_floats_per_image_the_same_on_every_call()
    {
        ResNet18Embedder embedder = fixture.Embedder;
        using Tensor images = ResNet18Fixture.Images(5, 1, 28, 28, seed: 1);
        var progress = new List<(long Done, long Total)>();
        long before = embedder.ImagesEmbedded;

        using Tensor first = embedder.Embed(images, (done, total) => progress.Add((done, total)));
        using Tensor second = embedder.Embed(images);

        Assert.Equal([5L, ResNet18Embedder.EmbeddingSize], first.shape);
        Assert.Equal(ScalarType.Float32, first.dtype);
        Assert.True(first.isfinite().all().item<bool>());
        Assert.True(first.abs().sum().item<float>() > 0);
        Assert.Equal(first.data<float>().ToArray(), second.data<float>().ToArray());
        // Three batches (2, 2, 1), run two at a time: growing counts, one call per batch, ending at 5.
        Assert.Equal(3, progress.Count);
        Assert.All(progress, p => Assert.Equal(5, p.Total));
        Assert.Equal(progress.Select(p => p.Done).Order(), progress.Select(p => p.Done));
        Assert.Equal(5, progress[^1].Done);
        Assert.Equal(before + 10, embedder.ImagesEmbedded);
    }

    [Fact]
    public void An_image_embeds_the_same_alone_as_in_a_batch_and_colour_images_of_any_size_work()
    {
        ResNet18Embedder embedder = fixture.Embedder;
        using Tensor images = ResNet18Fixture.Images(3, 3, 40, 50, seed: 2);
        using Tensor together = embedder.Embed(images);
        using Tensor alone = embedder.Embed(images.narrow(0, 2, 1));

        Assert.Equal([3L, ResNet18Embedder.EmbeddingSize], together.shape);
        Assert.True((together[2] - alone[0]).abs().max().item<float>() < AgreementTolerance);
        // Different images, different embeddings.
        Assert.True((together[0] - together[1]).abs().max().item<float>() > 1e-2f);
    }

    [Fact]
    public void The_rewritten_graph_agrees_with_the_original_model_file_at_224()
    {
        using var original = ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 224, OriginalGraph = true });
        using var rewritten = ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 224, BatchSize = 3 });
        using Tensor grey = ResNet18Fixture.Images(2, 1, 28, 28, seed: 3);
        using Tensor colour = ResNet18Fixture.Images(1, 3, 32, 32, seed: 4);

        foreach (Tensor images in new[] { grey, colour })
        {
            using Tensor expected = original.Embed(images);
            using Tensor actual = rewritten.Embed(images);
            float difference = (expected - actual).abs().max().item<float>();
            Assert.True(difference < AgreementTolerance, $"max |difference| {difference}");
            Assert.True(expected.abs().max().item<float>() > 0.1f);
        }
    }

    [Fact]
    public void Preprocessing_at_224_is_what_ResNetPreprocess_onnx_computes()
    {
        using var embedder = ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 224, BatchSize = 1 });
        using Tensor image = ResNet18Fixture.Images(1, 3, 224, 224, seed: 5);
        using Tensor ours = embedder.Preprocess(image);

        string file = Path.Combine(ResNet18Embedder.DefaultModelDirectory, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        using var session = new InferenceSession(file);
        float[] rgb = image.to_type(ScalarType.Float32).data<float>().ToArray();
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, 224, 224]);
        using var outputs = session.Run(new RunOptions(), [session.InputNames[0]], [input], [session.OutputNames[0]]);
        float[] theirs = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        float[] mine = ours.data<float>().ToArray();
        Assert.Equal(theirs.Length, mine.Length);
        Assert.True(theirs.Zip(mine, (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
    }

    [Fact]
    public void One_run_at_a_time_and_ONNX_Runtimes_threads_give_the_same_embeddings()
    {
        using var single = ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 64, BatchSize = 2, Workers = 1, Threads = 0 });
        using Tensor images = ResNet18Fixture.Images(5, 1, 28, 28, seed: 7);
        using Tensor expected = single.Embed(images);
        using Tensor actual = fixture.Embedder.Embed(images);
        Assert.Equal(1, single.Workers);
        Assert.True((expected - actual).abs().max().item<float>() < AgreementTolerance);
    }

    [Fact]
    public void Bad_options_and_images_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ResNet18Embedder.Create(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResNet18Embedder.Create(256));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResNet18Embedder.Create(new ResNet18EmbedderOptions { InputSize = 64, OriginalGraph = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResNet18Embedder.Create(new ResNet18EmbedderOptions { Workers = -1 }));
        using Tensor floats = zeros(2, 1, 28, 28);
        Assert.Throws<ArgumentException>(() => fixture.Embedder.Embed(floats));
        using Tensor twoChannels = zeros([2, 2, 28, 28], ScalarType.Byte);
        Assert.Throws<ArgumentException>(() => fixture.Embedder.Embed(twoChannels));
        using Tensor empty = zeros([0, 1, 28, 28], ScalarType.Byte);
        using Tensor none = fixture.Embedder.Embed(empty);
        Assert.Equal([0L, ResNet18Embedder.EmbeddingSize], none.shape);
    }

    [Fact]
    public void A_missing_model_file_says_where_it_comes_from()
    {
        string folder = Directory.CreateTempSubdirectory("omasgan-no-model-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => ResNet18Embedder.Create(new ResNet18EmbedderOptions { ModelDirectory = folder }));
            Assert.Contains("ResNet18.onnx", e.Message);
            Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Cancelling_stops_before_the_next_batch()
    {
        using Tensor images = ResNet18Fixture.Images(12, 1, 28, 28, seed: 6);
        using var cancel = new CancellationTokenSource();
        long before = fixture.Embedder.ImagesEmbedded;
        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Embedder.Embed(images, (done, _) => { if (done >= 2) cancel.Cancel(); }, cancel.Token));
        Assert.True(fixture.Embedder.ImagesEmbedded - before < 12);
    }
}
