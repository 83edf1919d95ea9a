using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Networks;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>The projection onto principal components (<see cref="PrincipalComponents"/>) and the detectors that train on it.</summary>
public sealed class PrincipalComponentsTests : IDisposable
{
    private readonly Data.TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly float[,] Small =
    {
        { 2.5f, 2.4f, 0.5f, 1.0f }, { 0.5f, 0.7f, 1.5f, -1.0f }, { 2.2f, 2.9f, 0.3f, 0.4f }, { 1.9f, 2.2f, 0.9f, 0.0f },
        { 3.1f, 3.0f, -0.2f, 1.3f }, { 2.3f, 2.7f, 0.1f, 0.6f }, { 2.0f, 1.6f, 1.1f, -0.4f }, { 1.0f, 1.1f, 1.4f, -0.8f },
    };

    [Fact]
    public void Components_and_projections_agree_with_scikit_learn()
    {
        // scikit-learn 1.2.1: PCA(n_components=2, svd_solver="full").fit(Small); each component's sign
        // set so that its entry of largest magnitude is positive, as the library does.
        PrincipalComponents pca = PrincipalComponents.Fit(tensor(Small), 2);
        Assert.Equal((4, 2), (pca.Features, pca.Count));
        Assert.Equal([4L], pca.InputShape);
        float[] mean = [1.9375f, 2.075f, 0.7f, 0.1375f];
        float[] components = [0.52366647f, 0.54081721f, -0.39174295f, 0.52898736f, -0.55888348f, 0.66898657f, -0.32213053f, -0.36923996f];
        for (int i = 0; i < mean.Length; i++) Assert.Equal(mean[i], pca.Mean[i], 1e-5f);
        for (int i = 0; i < components.Length; i++) Assert.Equal(components[i], pca.Components[i], 1e-5f);

        Tensor projected = pca.Apply(tensor(new float[,] { { 1, 2, 3, -1 } }));
        Assert.Equal([-2.03423052f, 0.15288951f], projected.data<float>().ToArray(), new ToleranceComparer(1e-5f));
        // The variance along each component: scikit-learn's explained_variance_.
        Tensor variance = pca.Apply(tensor(Small)).var(0);
        Assert.Equal([2.36811386f, 0.0700681f], variance.data<float>().ToArray(), new ToleranceComparer(1e-5f));
    }

    [Fact]
    public void Samples_in_the_components_span_come_back_exactly_and_the_components_are_orthonormal()
    {
        manual_seed(4);
        Tensor basis = randn(3, 2, 5, 5);
        Tensor data = randn(300, 3).mm(basis.reshape(3, 50)).reshape(300, 2, 5, 5) + 7;
        PrincipalComponents pca = PrincipalComponents.Fit(data, 3);
        Assert.Equal([2L, 5, 5], pca.InputShape);
        Tensor back = pca.Invert(pca.Apply(data));
        Assert.Equal(data.shape, back.shape);
        Assert.True(allclose(back, data, rtol: 0, atol: 1e-3), $"max |Δ| {(back - data).abs().max().item<float>()}");
        Tensor c = tensor(pca.Components, [3, 50]);
        Assert.True(allclose(c.mm(c.t()), eye(3), rtol: 0, atol: 1e-5));
        Assert.True(pca.IsConsistent());
        // The same data gives the same numbers.
        Assert.Equal(pca.Components, PrincipalComponents.Fit(data, 3).Components);
    }

    [Fact]
    public void Impossible_counts_and_other_shapes_are_refused_with_the_limits()
    {
        Tensor data = tensor(Small);
        Assert.Contains("keep 1 to 4", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(data, 5)).Message);
        Assert.Contains("keep 1 to 4", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(data, 0)).Message);
        Assert.Contains("keep 1 to 2", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(data.narrow(0, 0, 3), 3)).Message);
        PrincipalComponents pca = PrincipalComponents.Fit(data, 2);
        Assert.Contains("samples of shape [4]", Assert.Throws<ArgumentException>(() => pca.Apply(zeros(2, 5))).Message);
        Assert.False((pca with { Components = pca.Components[..^1] }).IsConsistent());
        Assert.False((pca with { Mean = [1, 2, 3, float.NaN] }).IsConsistent());
    }

    [Fact]
    public void An_image_pipeline_with_a_projection_gives_rows_and_maps_samples_back_to_images()
    {
        Tensor images = Images(40, seed: 2);
        var (pipeline, prepared) = InputPipeline.Fit(images, standardize: true, components: 6);
        Assert.Equal([40L, 6], prepared.shape);
        Assert.NotNull(pipeline.Image);
        Assert.NotNull(pipeline.Projection);
        // Prepare = project, then standardise: zero mean and unit variance per component on the training images.
        Tensor rows = pipeline.Prepare(images, [6]);
        Assert.True(allclose(rows.mean([0]), zeros(6), rtol: 0, atol: 1e-4));
        Assert.True(allclose(rows.std(0), ones(6), rtol: 0, atol: 1e-4));
        // Back in the images' space: the training images' projections onto the span, side 32 in [−1, 1].
        Tensor back = pipeline.ToData(rows);
        Assert.Equal([40L, 1, 32, 32], back.shape);
        Tensor direct = pipeline.Projection!.Invert(pipeline.Projection.Apply(pipeline.Image!.Prepare(images, "t")));
        Assert.True(allclose(back, direct, rtol: 0, atol: 1e-4));
        Assert.Contains("28×28", Assert.Throws<ArgumentException>(() => pipeline.Prepare(Images(3, seed: 1, side: 20))).Message);
    }

    [Fact]
    public void Principal_components_need_the_mlp_networks_and_a_sensible_count()
    {
        OmasganOptions dcgan = ImagePresets.Get(ImagePresets.Cpu) with { PrincipalComponents = 8 };
        Assert.Contains("MLP", Assert.Throws<InvalidOptionException>(dcgan.Validate).Message);
        OmasganOptions zero = DetectorTests.TinyOptions() with { PrincipalComponents = 0 };
        Assert.Contains("PrincipalComponents must be in [1, 4096]", Assert.Throws<InvalidOptionException>(zero.Validate).Message);

        OmasganOptions preset = ImagePresets.Get(ImagePresets.CpuPca);
        preset.Validate();
        Assert.Equal(ImagePresets.PcaModel, ImagePresets.Model(ImagePresets.CpuPca));
        Assert.Equal(ImagePresets.CpuPca, ImagePresets.DefaultFor(ImagePresets.PcaModel));
        Assert.Equal(ImagePresets.PcaComponents, preset.PrincipalComponents);
        Assert.Equal(VectorPreset.For(ImagePresets.PcaComponents) with { PrincipalComponents = ImagePresets.PcaComponents }, preset);
        Assert.IsType<MlpArchitecture>(preset.Architecture);
    }

    [Fact]
    public void A_detector_on_principal_components_scores_images_the_same_after_saving_and_draws_images()
    {
        Tensor images = Images(64, seed: 3);
        OmasganOptions options = DetectorTests.TinyOptions(steps: 8) with { PrincipalComponents = 5 };
        string folder = Path.Combine(temp.Path, "model");
        float[] before;
        using (var detector = OmasganTrainer.Fit(images, options))
        {
            Assert.Equal([5L], detector.SampleShape);
            before = detector.Score(Images(10, seed: 7));
            Assert.Equal([4L, 1, 32, 32], detector.Sample(SampleSource.Boundary, 4).shape);
            detector.Save(folder);
        }
        using var loaded = OmasganDetector.Load(folder);
        Assert.Equal(before, loaded.Score(Images(10, seed: 7)));
        Assert.Equal(5, loaded.Input.Projection!.Count);
    }

    /// <summary>Random uint8 images (n, 1, side, side) with a bright centre, so they have structure to project.</summary>
    private static Tensor Images(int count, int seed, int side = 28)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        Tensor noise = rand([count, 1, side, side], generator: generator) * 80;
        Tensor centre = zeros(1, 1, side, side);
        centre[.., .., (side / 4)..(3 * side / 4), (side / 4)..(3 * side / 4)] = 150;
        Tensor scale = rand([count, 1, 1, 1], generator: generator);
        return (noise + centre * scale).clamp(0, 255).to_type(ScalarType.Byte);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
