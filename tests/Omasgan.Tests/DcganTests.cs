using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Networks;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class DcganTests
{
    [Theory]
    [InlineData(1, 0.25, DiscriminatorNormalization.Batch, GeneratorUpsampling.Transposed)]
    [InlineData(3, 0.25, DiscriminatorNormalization.Batch, GeneratorUpsampling.Transposed)]
    [InlineData(1, 1.0, DiscriminatorNormalization.Batch, GeneratorUpsampling.Transposed)]
    [InlineData(3, 0.5, DiscriminatorNormalization.Batch, GeneratorUpsampling.Transposed)]
    [InlineData(1, 0.25, DiscriminatorNormalization.None, GeneratorUpsampling.Nearest)]
    [InlineData(3, 0.25, DiscriminatorNormalization.Layer, GeneratorUpsampling.Transposed)]
    [InlineData(1, 0.5, DiscriminatorNormalization.Spectral, GeneratorUpsampling.Nearest)]
    public void Networks_map_latents_to_images_in_range_and_images_to_one_output(int channels, double width,
        DiscriminatorNormalization normalization, GeneratorUpsampling upsampling) =>
        AssertMapsImages(new DcganArchitecture { WidthMultiplier = width, Normalization = normalization, Upsampling = upsampling }, channels);

    /// <summary>
    /// The pair maps latents to images in [−1, 1] and images to one output each, and its parameter
    /// count equals the one counted from the built modules (independently of the formula).
    /// </summary>
    internal static void AssertMapsImages(NetworkArchitecture architecture, int channels)
    {
        manual_seed(3);
        long[] shape = [channels, 32, 32];
        using var generator = architecture.CreateGenerator(100, shape);
        using var discriminator = architecture.CreateDiscriminator(shape);
        using var _ = no_grad();
        generator.train();
        Tensor images = generator.call(rand(5, 100));
        Assert.Equal(new long[] { 5, channels, 32, 32 }, images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.Equal(new long[] { 5 }, discriminator.call(images).shape);
        long actual = generator.parameters().Concat(discriminator.parameters()).Sum(p => p.numel());
        Assert.Equal(actual, architecture.ParameterCount(100, shape));
    }

    [Fact]
    public void Without_batch_norm_a_discriminator_scores_each_image_alone_in_training_mode()
    {
        manual_seed(4);
        Tensor images = rand(6, 1, 32, 32) * 2 - 1;
        foreach (var normalization in new[] { DiscriminatorNormalization.None, DiscriminatorNormalization.Layer, DiscriminatorNormalization.Batch })
        {
            using var discriminator = new DcganArchitecture { Normalization = normalization }.CreateDiscriminator([1, 32, 32]);
            using var _ = no_grad();
            discriminator.train();
            Tensor together = discriminator.call(images)[..3];
            Tensor alone = discriminator.call(images[..3]);
            bool same = together.allclose(alone, rtol: 1e-4, atol: 1e-5);
            // Batch norm normalises each image by the statistics of whatever else is in its batch.
            Assert.Equal(normalization != DiscriminatorNormalization.Batch, same);
        }
    }

    [Fact]
    public void Layer_normalisation_starts_as_the_identity_map_of_normalised_features()
    {
        using var discriminator = new DcganArchitecture { Normalization = DiscriminatorNormalization.Layer }.CreateDiscriminator([1, 32, 32]);
        var norms = discriminator.named_parameters().Where(p => p.name.Contains("weight") && p.parameter.dim() == 1).ToArray();
        Assert.Equal(4, norms.Length);
        Assert.All(norms, p => Assert.True(p.parameter.eq(1).all().item<bool>(), p.name));
    }

    [Fact]
    public void Nearest_upsampling_builds_the_generator_from_3x3_convolutions()
    {
        using var generator = new DcganArchitecture { Upsampling = GeneratorUpsampling.Nearest }.CreateGenerator(100, [1, 32, 32]);
        long[][] shapes = generator.parameters().Select(p => p.shape).ToArray();
        Assert.Contains(shapes, s => s.SequenceEqual(new long[] { 256, 512, 3, 3 }));
        Assert.DoesNotContain(shapes, s => s.Length == 4 && s[2] == 4);
    }

    [Fact]
    public void Width_one_has_the_original_layer_widths()
    {
        using var generator = new DcganArchitecture().CreateGenerator(100, [1, 32, 32]);
        long[][] shapes = generator.parameters().Select(p => p.shape).ToArray();
        Assert.Equal(new long[] { 8192, 100 }, shapes[0]);          // linear to 512×4×4
        Assert.Contains(shapes, s => s.SequenceEqual(new long[] { 512, 256, 4, 4 }));
        Assert.Contains(shapes, s => s.SequenceEqual(new long[] { 256, 128, 4, 4 }));
        Assert.Contains(shapes, s => s.SequenceEqual(new long[] { 128, 64, 4, 4 }));
        Assert.Contains(shapes, s => s.SequenceEqual(new long[] { 1, 64, 3, 3 }));
    }

    [Theory]
    [InlineData(new long[] { 1, 28, 28 })]
    [InlineData(new long[] { 2, 32, 32 })]
    [InlineData(new long[] { 1024 })]
    public void Other_sample_shapes_are_refused_with_the_shape_named(long[] shape)
    {
        var e = Assert.Throws<ArgumentException>(() => new DcganArchitecture().CreateDiscriminator(shape));
        Assert.Contains(string.Join(", ", shape), e.Message);
    }

    [Fact]
    public void Width_outside_its_range_is_refused() =>
        Assert.Throws<InvalidOptionException>(() => new DcganArchitecture { WidthMultiplier = 0.01 }.Validate());

    [Fact]
    public void Images_are_scaled_to_minus_one_one_and_resized_to_32()
    {
        var input = new ImageInput(1, 28, 28, 32);
        Tensor images = full(new long[] { 2, 1, 28, 28 }, 255, dtype: ScalarType.Byte);
        images[1] = zeros(1, 28, 28, dtype: ScalarType.Byte);
        Tensor x = input.Prepare(images, "test");
        Assert.Equal(new long[] { 2, 1, 32, 32 }, x.shape);
        Assert.Equal(1f, x[0].min().item<float>(), 5);
        Assert.Equal(-1f, x[1].max().item<float>(), 5);
        Assert.Equal(images[0, 0, 0, 0].item<byte>(), ImageInput.ToBytes(x)[0, 0, 0, 0].item<byte>());
    }

    [Fact]
    public void A_saved_image_detector_scores_raw_images_as_before_and_refuses_other_channels_and_sizes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "omasgan-dcgan-" + Guid.NewGuid());
        try
        {
            manual_seed(5);
            using var set = new SampleSet(randint(0, 256, [40, 1, 28, 28]).to_type(ScalarType.Byte), new int[40], "random");
            OmasganOptions options = ImagePresets.Get(ImagePresets.Cpu) with
            {
                FGan = new FGanOptions { Steps = 2, BatchSize = 8 },
                Boundary = new BoundaryOptions { Steps = 2, BatchSize = 8 },
                Retraining = new RetrainingOptions { Steps = 2, BatchSize = 8 },
                Scorer = new ScorerOptions { Steps = 2, BatchSize = 8 },
            };
            float[] before;
            using (IAnomalyDetector detector = new OmasganTrainer(options).Fit(set.Samples, new FitSettings { RunDirectory = dir }))
            {
                before = detector.Score(set.Samples);
                detector.Save(Path.Combine(dir, "model"));
            }
            var seconds = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(
                File.ReadAllText(Path.Combine(dir, OmasganTrainer.StageSecondsFileName)));
            Assert.Equal(4, seconds!.Count);
            foreach (var (file, _) in OmasganTrainer.Grids)
                Assert.True(File.Exists(Path.Combine(dir, file)), file);

            using var loaded = OmasganDetector.Load(Path.Combine(dir, "model"));
            Assert.Equal(new ImageInput(1, 28, 28, 32), loaded.Input.Image);
            Assert.Equal(before, loaded.Score(set.Samples));

            var colour = Assert.Throws<ArgumentException>(() => loaded.Score(zeros(new long[] { 2, 3, 28, 28 }, dtype: ScalarType.Byte)));
            Assert.Contains("3 channels", colour.Message);
            var size = Assert.Throws<ArgumentException>(() => loaded.Score(zeros(new long[] { 2, 1, 32, 32 }, dtype: ScalarType.Byte)));
            Assert.Contains("28×28", size.Message);
            var floats = Assert.Throws<ArgumentException>(() => loaded.Score(zeros(2, 1, 28, 28)));
            Assert.Contains("uint8", floats.Message);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_library_user_fits_on_raw_images_without_a_run_folder_and_the_model_prepares_what_it_scores()
    {
        manual_seed(6);
        Tensor images = randint(0, 256, [24, 1, 28, 28]).to_type(ScalarType.Byte);
        OmasganOptions options = ImagePresets.Get(ImagePresets.Cpu) with
        {
            FGan = new FGanOptions { Steps = 1, BatchSize = 8 },
            Boundary = new BoundaryOptions { Steps = 1, BatchSize = 8 },
            Retraining = new RetrainingOptions { Steps = 1, BatchSize = 8 },
            Scorer = new ScorerOptions { Steps = 1, BatchSize = 8 },
        };
        using OmasganDetector detector = OmasganTrainer.Fit(images, options);
        Assert.Equal(new ImageInput(1, 28, 28, 32), detector.Input.Image);
        Assert.Equal([1L, 32, 32], detector.SampleShape);
        float[] raw = detector.Score(images);
        using Tensor prepared = detector.Input.Prepare(images);
        Assert.Equal(24, raw.Length);
        Assert.All(raw, s => Assert.True(float.IsFinite(s)));
        // Prepared images are not what it takes: it owns the preparation.
        Assert.Throws<ArgumentException>(() => detector.Score(prepared));

        // Samples as B's own stage drew them (batch norm on each batch's statistics) leave the detector as it was.
        using Tensor trained = detector.Sample(SampleSource.Boundary, 20, batchStatistics: true, batchSize: 8);
        Assert.Equal(new long[] { 20, 1, 32, 32 }, trained.shape);
        Assert.True(trained.abs().max().item<float>() <= 1f);
        manual_seed(9);
        using Tensor evalFirst = detector.Sample(SampleSource.Boundary, 8);
        manual_seed(9);
        using Tensor batchStatistics = detector.Sample(SampleSource.Boundary, 8, batchStatistics: true, batchSize: 8);
        manual_seed(9);
        using Tensor evalAgain = detector.Sample(SampleSource.Boundary, 8);
        Assert.True(evalFirst.eq(evalAgain).all().item<bool>());
        Assert.False(evalFirst.allclose(batchStatistics));
        Assert.Equal(raw, detector.Score(images));
    }
}
