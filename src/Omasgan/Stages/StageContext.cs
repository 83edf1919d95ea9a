using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>Saves a stage's progress after its steps and restores it when a run resumes.</summary>
public interface IStageCheckpoints
{
    /// <summary>
    /// Steps of <paramref name="stage"/> already done: 0 for a fresh start; for the stage a run resumes
    /// in, the optimisers' and the random generator's states are restored first; a stage finished
    /// before the resumed one returns <see cref="int.MaxValue"/>.
    /// </summary>
    int Restore(OmasganStage stage, IReadOnlyList<optim.Optimizer> optimizers);

    /// <summary>Called after every completed step.</summary>
    void Completed(OmasganStage stage, int step, int steps, IReadOnlyList<optim.Optimizer> optimizers);
}

/// <summary>What a stage needs besides its networks: the normal data, the adversarial objective, latent
/// sampling, progress reporting and checkpoints.</summary>
/// <param name="cancellation">checked at every step: a cancelled fit stops with <see cref="OperationCanceledException"/>, its last checkpoint kept.</param>
public sealed class StageContext(Tensor data, IAdversarialObjective objective, int latentDim, IProgress<StageProgress>? progress = null,
    IStageCheckpoints? checkpoints = null, CancellationToken cancellation = default)
{
    private readonly IProgress<StageProgress>? progress = progress;
    private readonly IStageCheckpoints? checkpoints = checkpoints;

    /// <summary>Steps between two progress reports (the last step is always reported).</summary>
    public const int ReportInterval = 10;

    /// <summary>The whole normal training set (n, ...sample shape).</summary>
    public Tensor Data { get; } = data;
    public IAdversarialObjective Objective { get; } = objective;
    public int LatentDim { get; } = latentDim;

    /// <summary>Whether discriminator updates score all their batches in one forward pass (<see cref="Networks.NetworkArchitecture.ScoresBatchesTogether"/>).</summary>
    public bool ScoresBatchesTogether { get; init; }

    /// <summary>How Stages 2–4 see the boundary generator's samples: as drawn (null), or at the data's brightness.</summary>
    public MatchedBrightness? BoundaryBrightness { get; init; }

    /// <summary>The same context with another objective.</summary>
    public StageContext With(IAdversarialObjective other) =>
        new(Data, other, LatentDim, progress, checkpoints, cancellation) { ScoresBatchesTogether = ScoresBatchesTogether, BoundaryBrightness = BoundaryBrightness };

    /// <summary>The boundary generator's <paramref name="samples"/> as the stages see them (<see cref="BoundaryBrightness"/>).</summary>
    public Tensor SeenBoundary(Tensor samples) => BoundaryBrightness?.Apply(samples) ?? samples;

    /// <summary>
    /// <paramref name="discriminator"/>'s outputs on each of <paramref name="batches"/>, in order: one
    /// forward pass on them concatenated when <see cref="ScoresBatchesTogether"/>, else one pass each.
    /// </summary>
    public Tensor[] Scores(nn.Module<Tensor, Tensor> discriminator, params Tensor[] batches)
    {
        if (!ScoresBatchesTogether || batches.Length == 1)
            return batches.Select(discriminator.call).ToArray();
        return discriminator.call(cat(batches, 0)).split(batches.Select(b => b.shape[0]).ToArray());
    }

    /// <summary>The first step a stage runs: 1, or the step after a restored checkpoint.</summary>
    internal int FirstStep(OmasganStage stage, params optim.Optimizer[] optimizers)
    {
        int done = checkpoints?.Restore(stage, optimizers) ?? 0;
        return done == int.MaxValue ? int.MaxValue : done + 1;
    }

    /// <summary>Marks a step complete (checkpoints save here).</summary>
    internal void Completed(OmasganStage stage, int step, int steps, params optim.Optimizer[] optimizers) =>
        checkpoints?.Completed(stage, step, steps, optimizers);

    /// <summary>A minibatch of normal data drawn uniformly with replacement, on the data's device.</summary>
    public Tensor RealBatch(int size) => Data.index_select(0, randint(0, Data.shape[0], [size], dtype: ScalarType.Int64, device: Data.device));

    /// <summary>Latent noise z ~ U[0, 1]^d, as in the original, on the data's device.</summary>
    public Tensor Latent(int size) => rand([size, LatentDim], device: Data.device);

    /// <summary>Samples of a network that is not being trained in this stage.</summary>
    public static Tensor SampleFrozen(nn.Module<Tensor, Tensor> generator, Tensor z)
    {
        using var _ = no_grad();
        return generator.call(z);
    }

    /// <summary>
    /// Stops training with <see cref="TrainingDivergedException"/> as soon as a loss is NaN or
    /// infinite (checked every step), or with <see cref="OperationCanceledException"/> once the fit is
    /// cancelled, and reports progress every <see cref="ReportInterval"/> steps
    /// and at the last step.
    /// </summary>
    public void Report(OmasganStage stage, int step, int steps, params (string Name, Tensor Value)[] losses)
    {
        cancellation.ThrowIfCancellationRequested();
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

    /// <summary>
    /// The discriminator's <see cref="StageOptions.DiscriminatorSteps"/> updates of one training step;
    /// <paramref name="update"/> makes one and returns its loss, of which the last is returned.
    /// </summary>
    internal static Tensor DiscriminatorUpdates(StageOptions options, Func<Tensor> update)
    {
        Tensor loss = update();
        for (int k = 1; k < options.DiscriminatorSteps; k++)
            loss = update();
        return loss;
    }

    /// <summary>One optimiser step on <paramref name="loss"/>.</summary>
    internal static void Step(optim.Optimizer optimizer, Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
}
