using System.Diagnostics;
using System.Globalization;
using System.Text;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Losses;
using Omasgan.Networks;
using Omasgan.Stages;
using static TorchSharp.torch;

namespace Omasgan.Experiments;

/// <summary>
/// Speed of the training steps, scoring and the nearest-data term on this machine, against a float32
/// matrix-multiply peak measured in the same run. Synthetic data of the real shapes: speed does not
/// depend on the values. Every time is a median over repeats.
/// </summary>
public static class Benchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs every measurement and returns the tables as Markdown; <paramref name="progress"/> gets a line per measurement.</summary>
    public static string Run(BenchmarkOptions options, Action<string> progress)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"Threads: {get_num_threads()}. Versions: {string.Join(", ", OmasganDetector.LibraryVersions.Select(v => $"{v.Key} {v.Value}"))}.");
        md.AppendLine();
        double peak = GemmPeak();
        progress($"float32 GEMM peak {peak:F1} GFLOP/s");
        md.AppendLine(Inv, $"Float32 GEMM peak (1024 × 1024 × 1024 matmul through libtorch, median of 20): **{peak:F1} GFLOP/s**.");
        md.AppendLine();
        md.AppendLine("| networks | stage | median step (ms) | GFLOP per step (estimate) | GFLOP/s | share of GEMM peak |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        var stage2Ms = new Dictionary<string, double>();
        foreach (var (name, options2, shape, data) in Setups(options))
        {
            using (data)
            {
                var times = StageSteps(options2, shape, data, options.Blocks);
                (long g, long d) = options2.Architecture.ForwardFlops(options2.ResolveLatentDim(shape), shape);
                foreach (var (stage, ms) in times)
                {
                    double gflop = StepFlops(stage, options2, g, d, data.shape[0], shape.Aggregate(1L, (a, b) => a * b)) / 1e9;
                    double rate = gflop / (ms / 1000);
                    md.AppendLine(Inv, $"| {name} | {(int)stage} | {ms:F1} | {gflop:F3} | {rate:F1} | {rate / peak:P0} |");
                    progress($"{name} stage {(int)stage}: {ms:F1} ms per step, {rate:F1} GFLOP/s");
                    if (stage == OmasganStage.Boundary) stage2Ms[name] = ms;
                }
            }
        }
        md.AppendLine();
        md.AppendLine("GFLOP per step counts convolution and linear layers from their shapes (`NetworkArchitecture.ForwardFlops`), a forward and backward pass as three forward passes, the gradient penalty's double backward as two more forward passes of the discriminator on the real batch, and in Stage 2 the nearest-data distances (2·batch·N·features).");
        md.AppendLine();

        md.AppendLine("| nearest-data term, batch 64 of 1×32×32 | N | median (ms) | ms per 1,000 samples of N |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        var nearest = new Dictionary<int, double>();
        foreach (int n in options.NearestDataSizes)
        {
            nearest[n] = NearestData(n);
            progress($"nearest-data term at N = {n}: {nearest[n]:F1} ms");
            md.AppendLine(Inv, $"| value and gradient | {n:N0} | {nearest[n]:F1} | {nearest[n] / n * 1000:F3} |");
        }
        md.AppendLine();
        if (nearest.TryGetValue(options.ImageData, out double atData) && stage2Ms.TryGetValue(CpuPreset, out double step2))
            md.AppendLine(Inv, $"Share of the nearest-data term in a Stage 2 step of the {CpuPreset} networks at N = {options.ImageData:N0}: {atData:F1} of {step2:F1} ms = **{atData / step2:P0}**.");
        md.AppendLine();

        md.AppendLine("| scoring, raw 28×28 grey images (prepared, then the scorer) | images/s |");
        md.AppendLine("| --- | ---: |");
        foreach (double width in options.FullWidth ? [0.25, 1.0] : new[] { 0.25 })
        {
            double rate = ScoringRate(width, options.ScoredImages);
            progress($"scoring at width {width}: {rate:F0} images/s");
            md.AppendLine(Inv, $"| DCGAN ×{width} | {rate:F0} |");
        }
        return md.ToString();
    }

    private const string CpuPreset = "DCGAN ×0.25 (cpu preset)";

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>GFLOP/s of a float32 1024³ matrix product, median of 20 after 3 warm-up runs.</summary>
    public static double GemmPeak()
    {
        using var a = randn(1024, 1024);
        using var b = randn(1024, 1024);
        var ms = Enumerable.Range(0, 23).Select(_ => Time(() => { using var c = a.matmul(b); })).Skip(3);
        return 2.0 * 1024 * 1024 * 1024 / (Median.Of(ms) / 1000) / 1e9;
    }

    private static IEnumerable<(string Name, OmasganOptions Options, long[] Shape, Tensor Data)> Setups(BenchmarkOptions options)
    {
        OmasganOptions cpu = ImagePresets.Get(ImagePresets.Cpu);
        yield return (CpuPreset, cpu, [1, 32, 32], rand(options.ImageData, 1, 32, 32) * 2 - 1);
        if (options.FullWidth)
            yield return ("DCGAN ×1", cpu with { Architecture = new DcganArchitecture { WidthMultiplier = 1 } }, [1, 32, 32],
                rand(options.ImageData, 1, 32, 32) * 2 - 1);
        yield return ("BigGAN ×1/16 (cpu-klwgan preset)", ImagePresets.Get(ImagePresets.CpuKlWgan), [1, 32, 32],
            rand(options.ImageData, 1, 32, 32) * 2 - 1);
        yield return ("MLP 3×64, 2-D (toy)", ToyDefaults.Detector, [2], randn(TwoModeToyData.DefaultTrainingSize, 2));
    }

    /// <summary>Median milliseconds of one step of each stage, from the stage's own progress reports (every ten steps).</summary>
    private static IReadOnlyList<(OmasganStage Stage, double Ms)> StageSteps(OmasganOptions options, long[] shape, Tensor data, int blocks)
    {
        int steps = StageContext.ReportInterval * (blocks + 1);
        int latent = options.ResolveLatentDim(shape);
        manual_seed(1);
        using var nets = OmasganNetworks.For(options, latent, shape);
        var result = new List<(OmasganStage, double)>();
        foreach (OmasganStage stage in Enum.GetValues<OmasganStage>())
        {
            var stamps = new List<long>();
            var context = new StageContext(data, options.Objective(), latent, new Stamps(stamps))
            {
                ScoresBatchesTogether = options.Architecture.ScoresBatchesTogether,
            };
            switch (stage)
            {
                case OmasganStage.FGan:
                    new FGanStage(options.FGan with { Steps = steps }).Train(context, nets.Generator, nets.Discriminator, nets.GeneratorAverage);
                    break;
                case OmasganStage.Boundary:
                    new BoundaryStage(options.Boundary with { Steps = steps }).Train(context, nets.Boundary, nets.BoundaryDiscriminator);
                    break;
                case OmasganStage.Retraining:
                    new RetrainingStage(options.Retraining with { Steps = steps }).Train(context, nets.Generator, nets.Boundary,
                        nets.RetrainedGenerator, nets.RetrainedDiscriminator);
                    break;
                default:
                    new ScorerStage(options.Scorer with { Steps = steps }).Train(context, nets.RetrainedGenerator, nets.Boundary, nets.Scorer);
                    break;
            }
            double[] blockMs = stamps.Zip(stamps.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds / StageContext.ReportInterval).ToArray();
            result.Add((stage, Median.Of(blockMs)));
        }
        return result;
    }

    private sealed class Stamps(List<long> stamps) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => stamps.Add(Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Estimated floating-point operations of one step of <paramref name="stage"/>: g and d are one
    /// sample's forward pass through a generator and a discriminator.
    /// </summary>
    public static double StepFlops(OmasganStage stage, OmasganOptions options, long g, long d, long dataSize, long features)
    {
        StageOptions o = stage switch
        {
            OmasganStage.FGan => options.FGan,
            OmasganStage.Boundary => options.Boundary,
            OmasganStage.Retraining => options.Retraining,
            _ => options.Scorer,
        };
        double n = o.BatchSize, k = o.DiscriminatorSteps, penalty = o.GradientPenaltyWeight > 0 ? 2 * d : 0;
        return stage switch
        {
            // k × (frozen G, D on real and fake forward and backward, penalty) + G through D forward and backward.
            OmasganStage.FGan => n * (k * (g + 6 * d + penalty) + 3 * (g + d)),
            OmasganStage.Boundary => n * (k * (g + 6 * d + penalty) + 3 * (g + d)) + 2.0 * n * dataSize * features,
            // k × (three frozen generators, D′ on four batches, penalty) + G′ through D′.
            OmasganStage.Retraining => n * (k * (3 * g + 12 * d + penalty) + 3 * (g + d)),
            // Two frozen generators, S on three batches, penalty.
            _ => n * (2 * g + 9 * d + penalty),
        };
    }

    /// <summary>Median milliseconds of the nearest-data term's value and gradient for 64 samples against <paramref name="n"/> data points.</summary>
    private static double NearestData(int n)
    {
        using var scope = NewDisposeScope();
        Tensor data = rand(n, 1, 32, 32) * 2 - 1;
        Tensor samples = (rand(64, 1, 32, 32) * 2 - 1).requires_grad_(true);
        Tensor norms = NearestDataDistance.SquaredNorms(data);   // once per stage, as Stage 2 keeps them
        var ms = Enumerable.Range(0, 12).Select(_ => Time(() =>
        {
            using var inner = NewDisposeScope();
            NearestDataDistance.Mean(samples, data, squared: true, dataSquaredNorms: norms).backward();
        })).Skip(2);
        return Median.Of(ms);
    }

    /// <summary>Images per second scored from raw uint8 28×28 images by a detector of DCGAN width <paramref name="width"/>.</summary>
    private static double ScoringRate(double width, int count)
    {
        var architecture = new DcganArchitecture { WidthMultiplier = width };
        long[] shape = [1, 32, 32];
        var nets = new OmasganNetworks(architecture, 100, shape);   // the detector disposes them
        using var detector = new OmasganDetector(ImagePresets.Get(ImagePresets.Cpu) with { Architecture = architecture },
            new InputPipeline(new ImageInput(1, 28, 28, DcganArchitecture.ImageSize)), shape, 100, nets, new ScoreThreshold(0.05, []));
        using Tensor images = randint(0, 256, [count, 1, 28, 28]).to_type(ScalarType.Byte);
        detector.Score(images.narrow(0, 0, Math.Min(count, 256)));
        double ms = Median.Of(Enumerable.Range(0, 3).Select(_ => Time(() => detector.Score(images))));
        return count / (ms / 1000);
    }
}

/// <summary>What <c>omasgan bench</c> measures and how long.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Blocks of ten steps timed per stage (the first block of each stage is warm-up, not counted).</summary>
    public int Blocks { get; init; } = 6;
    /// <summary>Normal samples in the image data (the nearest-data term searches all of them).</summary>
    public int ImageData { get; init; } = 54_000;
    /// <summary>Data sizes at which the nearest-data term is timed on its own.</summary>
    public int[] NearestDataSizes { get; init; } = [6_000, 54_000, 540_000];
    /// <summary>Images scored for the scoring throughput.</summary>
    public int ScoredImages { get; init; } = 10_000;
    /// <summary>Also the DCGAN pair at the original's full width (minutes per stage on 2 cores).</summary>
    public bool FullWidth { get; init; } = true;
}
