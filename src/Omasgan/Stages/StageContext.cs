using Omasgan.Divergences;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>What a stage needs besides its networks: the normal data, the divergence, latent
/// sampling and progress reporting.</summary>
public sealed class StageContext(Tensor data, Divergence divergence, int latentDim, IProgress<StageProgress>? progress = null)
{
    private readonly IProgress<StageProgress>? progress = progress;

    /// <summary>Steps between two progress reports (the last step is always reported).</summary>
    public const int ReportInterval = 10;

    /// <summary>The whole normal training set (n, ...sample shape).</summary>
    public Tensor Data { get; } = data;
    public Divergence Divergence { get; } = divergence;
    public int LatentDim { get; } = latentDim;

    /// <summary>The same context with another divergence.</summary>
    public StageContext With(Divergence other) => new(Data, other, LatentDim, progress);

    /// <summary>A minibatch of normal data drawn uniformly with replacement.</summary>
    public Tensor RealBatch(int size) => Data.index_select(0, randint(0, Data.shape[0], size, dtype: ScalarType.Int64));

    /// <summary>Latent noise z ~ U[0, 1]^d, as in the original.</summary>
    public Tensor Latent(int size) => rand(size, LatentDim);

    /// <summary>Samples of a network that is not being trained in this stage.</summary>
    public static Tensor SampleFrozen(nn.Module<Tensor, Tensor> generator, Tensor z)
    {
        using var _ = no_grad();
        return generator.call(z);
    }

    /// <summary>
    /// Stops training with <see cref="TrainingDivergedException"/> as soon as a loss is NaN or
    /// infinite (checked every step), and reports progress every <see cref="ReportInterval"/> steps
    /// and at the last step.
    /// </summary>
    public void Report(OmasganStage stage, int step, int steps, params (string Name, Tensor Value)[] losses)
    {
        bool report = step % ReportInterval == 0 || step == steps;
        var values = report ? new Dictionary<string, double>(losses.Length) : null;
        foreach (var (name, tensor) in losses)
        {
            double value = tensor.item<float>();
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(stage, step, name, value);
            values?.Add(name, value);
        }
        if (values is not null)
            progress?.Report(new StageProgress(stage, step, steps, values));
    }

    /// <summary>Adam over a module's parameters with a stage's settings.</summary>
    internal static optim.Optimizer Adam(nn.Module module, StageOptions options) =>
        optim.Adam(module.parameters(), options.LearningRate, options.AdamBeta1, options.AdamBeta2);

    /// <summary>One optimiser step on <paramref name="loss"/>.</summary>
    internal static void Step(optim.Optimizer optimizer, Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
}
