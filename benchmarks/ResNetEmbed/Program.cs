// Speed and agreement of the ways to compute ResNet-18 embeddings of Fashion-MNIST, and the one-off
// embedding of all 70,000 images into the cache. docs/embeddings.md shows the results and the commands:
//
//   dotnet run -c Release --project benchmarks/ResNetEmbed -- speed [--seconds 3] [--rounds 3] [--out FILE]
//   dotnet run -c Release --project benchmarks/ResNetEmbed -- full [--size 64] [--cache DIR]
//
// speed: every candidate is timed in each round, one after another (rounds rotate the order), on fresh
// test images each time, so that load from other jobs falls on all of them alike; it reports the median
// images/s over the rounds. Agreement: each candidate's embeddings of the first 64 test images against
// the unmodified model file's at 224×224 (cosine similarity; max |difference| for 224 candidates).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Omasgan;
using Omasgan.Data;
using Omasgan.Evaluation;
using Omasgan.Features;
using ResNetEmbed;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
KernelPaths.Pin(); // as the command-line tool does, before any tensor operation

string mode = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "speed";
string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

return mode switch
{
    "speed" => Speed(double.Parse(Option("--seconds") ?? "3"), int.Parse(Option("--rounds") ?? "3"), Option("--out")),
    "full" => Full(int.Parse(Option("--size") ?? ResNet18Embedder.DefaultInputSize.ToString()), Option("--cache") ?? EmbeddingCache.DefaultDirectory),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ResNetEmbed speed [--seconds S] [--rounds R] [--out FILE] | full [--size S] [--cache DIR]");
    return 2;
}

static int Speed(double seconds, int rounds, string? outFile)
{
    using SampleSet test = DatasetCatalog.Load("fashion-mnist", DataSplit.Test);
    Tensor images = test.Samples;
    string startLoad = LoadAverage();
    Console.WriteLine($"{test.Source}: {test.Count} images; {Environment.ProcessorCount} cores; libtorch threads {get_num_threads()}; load average {LoadAverage()}");

    var candidates = new List<Candidate>();
    ResNet18Embedder Ort(ResNet18EmbedderOptions o) => ResNet18Embedder.Create(o);
    void AddOrt(string name, ResNet18EmbedderOptions o)
    {
        ResNet18Embedder e = Ort(o);
        candidates.Add(new Candidate(name, o.InputSize, e.BatchSize * e.Workers, x => e.Embed(x), e));
    }
    // "runs × threads": batches run at once (Workers) × ONNX Runtime intra-op threads per run (Threads, 0 = its choice: one per core).
    AddOrt("ORT, original graph (fixed 1×3×224×224), 1 run × ORT's threads", new() { InputSize = 224, OriginalGraph = true, Workers = 1, Threads = 0 });
    foreach (int size in new[] { 224, 128, 96, 64, 32 })
        AddOrt($"ORT, any-size graph, batch 64, {size}×{size}, 2 runs × 1 thread (default)", new() { InputSize = size });
    AddOrt("ORT, any-size graph, batch 64, 224×224, 1 run × ORT's threads", new() { InputSize = 224, Workers = 1, Threads = 0 });
    AddOrt("ORT, any-size graph, batch 64, 64×64, 1 run × ORT's threads", new() { InputSize = 64, Workers = 1, Threads = 0 });
    AddOrt("ORT, any-size graph, batch 64, 64×64, 1 run × ORT's threads, no spinning", new() { InputSize = 64, Workers = 1, Threads = 0, AllowSpinning = false });
    AddOrt("ORT, any-size graph, batch 64, 64×64, 1 run × 1 thread", new() { InputSize = 64, Workers = 1, Threads = 1 });
    foreach (int batch in new[] { 16, 128, 256 })
        AddOrt($"ORT, any-size graph, batch {batch}, 64×64, 2 runs × 1 thread", new() { InputSize = 64, BatchSize = batch });
    AddOrt("ORT, any-size graph, batch 64, 64×64, 2 runs × 1 thread, basic graph optimisation", new() { InputSize = 64, Optimization = GraphOptimizationLevel.ORT_ENABLE_BASIC });
    AddOrt("ORT, any-size graph, batch 64, 64×64, 2 runs × 1 thread, extended graph optimisation", new() { InputSize = 64, Optimization = GraphOptimizationLevel.ORT_ENABLE_EXTENDED });
    foreach (int size in new[] { 224, 64 })
    {
        // Same preprocessing as the embedder (its Preprocess), network in libtorch.
        ResNet18Embedder prep = Ort(new() { InputSize = size, BatchSize = 64 });
        var net = new TorchSharpResNet(ResNet18Onnx.Load(ResNet18Embedder.DefaultModelDirectory));
        Tensor Embed(Tensor x)
        {
            var outputs = new List<Tensor>();
            for (long s = 0; s < x.shape[0]; s += 64)
            {
                using var scope = NewDisposeScope();
                outputs.Add(net.Forward(prep.Preprocess(x.narrow(0, s, Math.Min(64, x.shape[0] - s)))).MoveToOuterDisposeScope());
            }
            Tensor all = cat(outputs);
            outputs.ForEach(t => t.Dispose());
            return all;
        }
        candidates.Add(new Candidate($"TorchSharp (libtorch), TorchVision ResNet with the ONNX weights, batch 64, {size}×{size}, {get_num_threads()} threads", size, 64, Embed,
            new Disposables(prep, net)));
    }

    // Agreement. The reference is the any-size graph at 224×224 on the first 256 test images, itself
    // checked against the unmodified model file (candidate 0) on the first 32 of them.
    const int agreementImages = 256, originalImages = 32;
    using Tensor sample = images.narrow(0, 0, agreementImages);
    using Tensor reference = candidates[1].Embed(sample);
    using Tensor referenceNeighbours = NearestNeighbours(reference);
    using Tensor referenceUnit = nn.functional.normalize(reference, dim: 1);
    using Tensor crossCosine = referenceUnit.matmul(referenceUnit.T);
    float otherImagesCosine = (crossCosine.sum().item<float>() - agreementImages) / (agreementImages * (agreementImages - 1));
    foreach (Candidate c in candidates)
    {
        if (c == candidates[0])
        {
            using Tensor original = c.Embed(sample.narrow(0, 0, originalImages));
            c.MaxDifference = (original - reference.narrow(0, 0, originalImages)).abs().max().item<float>();
            c.MeanCosine = c.MinCosine = 1;
            c.OwnRetrieval = c.SameNeighbour = 1;
            continue;
        }
        using Tensor e = c.Embed(sample);
        using Tensor cos = nn.functional.cosine_similarity(e, reference, dim: 1);
        c.MeanCosine = cos.mean().item<float>();
        c.MinCosine = cos.min().item<float>();
        using Tensor unit = nn.functional.normalize(e, dim: 1);
        using Tensor toReference = unit.matmul(referenceUnit.T);
        using Tensor own = toReference.argmax(1).eq(arange(agreementImages));
        c.OwnRetrieval = own.to_type(ScalarType.Float32).mean().item<float>();
        using Tensor neighbours = NearestNeighbours(e);
        c.SameNeighbour = neighbours.eq(referenceNeighbours).to_type(ScalarType.Float32).mean().item<float>();
        if (c.InputSize == 224)
            c.MaxDifference = (e - reference).abs().max().item<float>();
    }
    Console.WriteLine($"reference: |embedding| up to {reference.abs().max().item<float>():F2}, mean L2 norm {reference.norm(1).mean().item<float>():F2}, " +
                      $"mean cosine between different images {otherImagesCosine:F4}");

    // Speed, interleaved.
    long offset = agreementImages;
    for (int round = 0; round < rounds; round++)
    {
        for (int k = 0; k < candidates.Count; k++)
        {
            Candidate c = candidates[(k + round) % candidates.Count];
            long done = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                if (offset + c.Batch > images.shape[0])
                    offset = agreementImages;
                using Tensor chunk = images.narrow(0, offset, c.Batch);
                using Tensor e = c.Embed(chunk);
                offset += c.Batch;
                done += c.Batch;
            }
            double rate = done / clock.Elapsed.TotalSeconds;
            c.Rates.Add(rate);
            Console.WriteLine($"round {round + 1}: {c.Name}: {rate:F1} images/s ({done} in {clock.Elapsed.TotalSeconds:F1} s)");
        }
    }

    double baseline = Median.Of(candidates[0].Rates);
    var md = new StringBuilder();
    md.AppendLine($"Fashion-MNIST test images (28×28 grey), {rounds} interleaved rounds of ≥ {seconds:F0} s per candidate, {Environment.ProcessorCount} cores, " +
                  $"load average at the start {startLoad}, at the end {LoadAverage()}. Agreement on the first {agreementImages} test images against the 224×224 " +
                  $"embeddings; the mean cosine between the 224 embeddings of two different images is {otherImagesCosine:F4}.");
    md.AppendLine();
    md.AppendLine("| candidate | images/s (median) | range over rounds | × original | 70,000 images (min) | cosine to own 224 embedding: mean / min | own 224 embedding is the nearest | same nearest neighbour as at 224 | max \\|Δ\\| vs 224 |");
    md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (Candidate c in candidates)
    {
        double median = Median.Of(c.Rates);
        md.AppendLine($"| {c.Name} | {median:F1} | {c.Rates.Min():F1}–{c.Rates.Max():F1} | {median / baseline:F1} | {70000 / median / 60:F1} | " +
                      $"{c.MeanCosine:F4} / {c.MinCosine:F4} | {c.OwnRetrieval:P0} | {c.SameNeighbour:P0} | {(c.MaxDifference is { } d ? d.ToString("0.0E+0") : "–")} |");
    }
    Console.WriteLine();
    Console.WriteLine(md);
    if (outFile is not null)
        File.WriteAllText(outFile, md.ToString());
    candidates.ForEach(c => c.Owner.Dispose());
    return 0;
}

static int Full(int size, string cacheDirectory)
{
    var total = Stopwatch.StartNew();
    using var embedder = ResNet18Embedder.Create(size);
    Console.WriteLine($"{embedder.Description}; model loaded in {total.Elapsed.TotalSeconds:F1} s; cache {cacheDirectory}; load average {LoadAverage()}");
    foreach (DataSplit split in new[] { DataSplit.Train, DataSplit.Test })
    {
        var clock = Stopwatch.StartNew();
        using SampleSet set = DatasetCatalog.Load("fashion-mnist", split);
        long step = Math.Max(1, set.Count / 10), next = step;
        CachedEmbeddings result = EmbeddingCache.GetOrCreate(cacheDirectory, $"fashion-mnist-{split.ToString().ToLowerInvariant()}", set, embedder,
            (done, all) =>
            {
                if (done >= next || done == all)
                {
                    Console.WriteLine($"  {done}/{all} in {clock.Elapsed.TotalSeconds:F0} s ({done / clock.Elapsed.TotalSeconds:F0} images/s)");
                    next += step;
                }
            });
        using Tensor embeddings = result.Embeddings;
        Console.WriteLine($"{set.Source}: {set.Count} images, {(result.Reused ? "reused" : "computed (" + result.Reason + ")")} in {clock.Elapsed.TotalSeconds:F1} s -> {result.Path}");
    }
    Console.WriteLine($"all: {total.Elapsed.TotalSeconds:F1} s wall, load average {LoadAverage()}");
    return 0;
}

/// <summary>Each row's nearest other row by cosine similarity.</summary>
static Tensor NearestNeighbours(Tensor embeddings)
{
    using var scope = NewDisposeScope();
    Tensor unit = nn.functional.normalize(embeddings, dim: 1);
    Tensor similarity = unit.matmul(unit.T);
    similarity.diagonal().fill_(-2);
    return similarity.argmax(1).MoveToOuterDisposeScope();
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

namespace ResNetEmbed
{
    internal sealed class Candidate(string name, int inputSize, int batch, Func<Tensor, Tensor> embed, IDisposable owner)
    {
        public string Name { get; } = name;
        public int InputSize { get; } = inputSize;
        public int Batch { get; } = batch;
        public Func<Tensor, Tensor> Embed { get; } = embed;
        public IDisposable Owner { get; } = owner;
        public List<double> Rates { get; } = [];
        public float MeanCosine { get; set; }
        public float MinCosine { get; set; }
        public float? MaxDifference { get; set; }
        public float OwnRetrieval { get; set; }
        public float SameNeighbour { get; set; }
    }

    internal sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (IDisposable item in items)
                item.Dispose();
        }
    }
}
