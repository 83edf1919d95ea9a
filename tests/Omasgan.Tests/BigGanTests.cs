using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Losses;
using Omasgan.Networks;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class BigGanTests
{
    [Theory]
    [InlineData(1, 0.0625)]
    [InlineData(3, 0.25)]
    public void Networks_map_latents_to_images_and_images_to_one_output_with_the_counted_parameters(int channels, double width) =>
        DcganTests.AssertMapsImages(new BigGanArchitecture { WidthMultiplier = width }, channels);

    [Fact]
    public void The_discriminator_is_spectrally_normalised_throughout_and_has_no_batch_norm()
    {
        using var discriminator = new BigGanArchitecture { WidthMultiplier = 0.25 }.CreateDiscriminator([1, 32, 32]);
        var modules = discriminator.modules().ToArray();
        Assert.Equal(13, modules.OfType<SpectralNormLayer>().Count());   // 4 blocks × 3 convolutions + the output layer
        Assert.DoesNotContain(modules, m => m is TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Linear);
    }

    [Fact]
    public void Weights_start_from_a_normal_with_standard_deviation_0_02()
    {
        manual_seed(4);
        using var generator = new BigGanArchitecture().CreateGenerator(100, [3, 32, 32]);
        Tensor weights = cat(generator.named_parameters().Where(p => p.name.EndsWith("weight") && p.parameter.dim() > 1)
            .Select(p => p.parameter.detach().flatten()).ToArray());
        Assert.InRange(weights.std().item<float>(), 0.0195f, 0.0205f);
        Assert.InRange(weights.mean().item<float>(), -0.001f, 0.001f);
    }

    [Fact]
    public void The_moving_average_moves_parameters_by_one_minus_decay_and_copies_buffers()
    {
        using var model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2));
        using var average = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2));
        using (no_grad())
        {
            foreach (var p in model.parameters()) p.fill_(1);
            foreach (var p in average.parameters()) p.fill_(0);
            model.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer.fill_(7);
        }
        WeightAverage.Update(average, model, 0.9);
        Assert.All(average.parameters(), p => Assert.True(p.allclose(full_like(p, 0.1))));
        Assert.Equal(7, average.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer[0].item<float>());
        WeightAverage.Update(average, model, 0.9);
        Assert.All(average.parameters(), p => Assert.True(p.allclose(full_like(p, 0.19))));
    }

    [Fact]
    public void Refreshed_batch_statistics_follow_what_the_network_now_computes()
    {
        manual_seed(6);
        using var network = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        using (no_grad())
            network.named_parameters().First(p => p.name == "0.bias").parameter.fill_(5);   // features around 5, stats still at 0
        network.eval();
        WeightAverage.RefreshBatchStatistics(network, () => rand(64, 3));
        Assert.False(network.training);
        Tensor mean = network.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer;
        using var _ = no_grad();
        Tensor expected = ((nn.Module<Tensor, Tensor>)network[0]).call(rand(100_000, 3)).mean([0]);
        Assert.True(mean.allclose(expected, atol: 0.05), $"{mean.str()} vs {expected.str()}");
    }

    [Fact]
    public void Stage_1_keeps_a_copy_of_G_until_the_average_starts_and_an_average_after()
    {
        manual_seed(5);
        var architecture = new BigGanArchitecture { WidthMultiplier = 0.0625 };
        long[] shape = [1, 32, 32];
        using var g = architecture.CreateGenerator(8, shape);
        using var d = architecture.CreateDiscriminator(shape);
        using var average = architecture.CreateGenerator(8, shape);
        var context = new StageContext(rand(32, 1, 32, 32) * 2 - 1, new KlWganObjective(), 8);
        var options = new FGanOptions { Steps = 2, BatchSize = 4, GradientPenaltyWeight = 0, AverageDecay = 0.5, AverageStart = 2 };
        new FGanStage(options).Train(context, g, d, average);
        Assert.All(g.parameters().Zip(average.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        new FGanStage(options with { Steps = 3, AverageStart = 1 }).Train(context, g, d, average);
        Assert.Contains(g.parameters().Zip(average.parameters()), p => !p.First.allclose(p.Second));
        Assert.Throws<ArgumentException>(() => new FGanStage(options).Train(context, g, d));
    }

    [Fact]
    public void One_pass_over_concatenated_batches_gives_each_batch_the_outputs_of_its_own_pass()
    {
        manual_seed(7);
        var architecture = new BigGanArchitecture { WidthMultiplier = 0.0625 };
        Assert.True(architecture.ScoresBatchesTogether);
        Assert.False(new DcganArchitecture().ScoresBatchesTogether);   // batch norm in D: a batch's outputs depend on the batch
        using var d = architecture.CreateDiscriminator([1, 32, 32]);
        d.eval();   // no power iteration: both ways see the same weights
        Tensor[] batches = [rand(3, 1, 32, 32), rand(5, 1, 32, 32), rand(2, 1, 32, 32)];
        var together = new StageContext(batches[0], new KlWganObjective(), 8) { ScoresBatchesTogether = true };
        var apart = new StageContext(batches[0], new KlWganObjective(), 8);
        Tensor[] joint = together.Scores(d, batches), separate = apart.Scores(d, batches);
        Assert.Equal([3L, 5L, 2L], joint.Select(t => t.shape[0]));
        foreach (var (a, b) in joint.Zip(separate))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        Assert.True(together.With(new KlWganObjective(2)).ScoresBatchesTogether);
    }

    [Theory]
    [InlineData(true, 3)]    // per step: one pass for each of the two D updates, one for G's update
    [InlineData(false, 5)]   // two passes (real, fake) per D update
    public void Stage_1_runs_D_once_per_update_when_it_scores_batches_together(bool together, int passesPerStep)
    {
        manual_seed(8);
        var architecture = new BigGanArchitecture { WidthMultiplier = 0.0625 };
        long[] shape = [1, 32, 32];
        using var g = architecture.CreateGenerator(8, shape);
        using var d = new CountingModule(architecture.CreateDiscriminator(shape));
        using var average = architecture.CreateGenerator(8, shape);
        var context = new StageContext(rand(32, 1, 32, 32) * 2 - 1, new KlWganObjective(), 8) { ScoresBatchesTogether = together };
        var options = new FGanOptions { Steps = 3, BatchSize = 4, DiscriminatorSteps = 2, GradientPenaltyWeight = 0, AverageDecay = 0.5, AverageStart = 1 };
        new FGanStage(options).Train(context, g, d, average);
        Assert.Equal(3 * passesPerStep, d.Calls);
    }

    private sealed class CountingModule : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public CountingModule(nn.Module<Tensor, Tensor> inner) : base(nameof(CountingModule))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public int Calls { get; private set; }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            return inner.call(x);
        }
    }

    [Fact]
    public void The_klwgan_presets_use_the_original_loss_networks_and_optimiser()
    {
        foreach (string name in new[] { ImagePresets.CpuKlWgan, ImagePresets.PaperKlWgan })
        {
            OmasganOptions o = ImagePresets.Get(name);
            o.Validate();
            Assert.Equal(ImagePresets.KlWganModel, ImagePresets.Model(name));
            Assert.Equal(new KlWganObjective(5), o.Objective());
            Assert.IsType<BigGanArchitecture>(o.Architecture);
            Assert.Equal((0.0, 4, 0.0), (o.FGan.AdamBeta1, o.FGan.DiscriminatorSteps, o.FGan.GradientPenaltyWeight));
            Assert.Equal((20.0, 50.0), (o.Boundary.NearestDataWeight, o.Boundary.ScatteringWeight));
            Assert.True(o.FGan.AverageDecay > 0);
        }
        Assert.Equal(ImagePresets.DcganModel, ImagePresets.Model(ImagePresets.Cpu));
    }
}
