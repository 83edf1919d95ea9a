// Which of oneDNN's instruction-set paths compute the image networks' convolutions correctly on this
// machine, and how fast a training step runs on each:
//
//   dotnet run -c Release --project benchmarks/OneDnnIsa -- [--rounds 3] [--isa AVX2,AVX,SSE41]
//
// Each (round, ISA) runs in a child process of its own, because oneDNN reads ONEDNN_MAX_CPU_ISA once;
// rounds rotate through the ISAs so that load from other jobs falls on all of them alike. A child
// (1) counts the (shape, tensor) pairs whose float32 output, input gradient or weight gradient is off
// float64 by more than ConvolutionCheck.Tolerance of its largest value, over 3×3 stride 1, 4×4 stride 2
// and transposed 4×4 stride 2 convolutions with 1–64 input and output channels (2 × 3 × 8 × 8 shapes ×
// 3 tensors = 1,152 pairs), and (2) times 40 hinge-loss G + D steps (batch 64, Adam, 2 threads) of three
// network pairs, the median of the last 30. The steps are its own rather than `omasgan bench`'s stages,
// whose divergence guard stops a run on the NaN that the wrong kernels produce.
// MKL and ATen stay pinned as KernelPaths pins them.
using System.Diagnostics;
using System.Globalization;
using Omasgan;
using Omasgan.Evaluation;
using Omasgan.Networks;
using TorchSharp;
using static TorchSharp.torch;

var inv = CultureInfo.InvariantCulture;
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

if (args.Contains("--child"))
{
    KernelPaths.Pin();
    set_num_threads(2);
    Console.WriteLine(string.Create(inv, $"wrong {WrongPairs()}"));
    foreach (var (name, architecture) in Networks())
        Console.WriteLine(string.Create(inv, $"step {name}|{MedianStepMs(architecture):F1}"));
    return 0;
}

int rounds = int.Parse(Arg("--rounds") ?? "3", inv);
string[] isas = (Arg("--isa") ?? "AVX2,AVX,SSE41").Split(',');
var wrong = isas.ToDictionary(i => i, _ => new List<int>());
var steps = new Dictionary<(string Isa, string Network), List<double>>();
for (int round = 0; round < rounds; round++)
    foreach (string isa in isas.Skip(round % isas.Length).Concat(isas.Take(round % isas.Length)))
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--child");
        start.Environment["ONEDNN_MAX_CPU_ISA"] = isa;
        using var child = Process.Start(start)!;
        _ = child.StandardError.ReadToEndAsync();
        foreach (string line in child.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("wrong ")) wrong[isa].Add(int.Parse(line[6..], inv));
            else if (line.StartsWith("step "))
            {
                string[] parts = line[5..].Split('|');
                if (!steps.TryGetValue((isa, parts[0]), out var list)) steps[(isa, parts[0])] = list = [];
                list.Add(double.Parse(parts[1], inv));
            }
        }
        child.WaitForExit();
        Console.Error.WriteLine($"round {round + 1}, ONEDNN_MAX_CPU_ISA={isa}: exit {child.ExitCode}");
    }

Console.WriteLine($"Median ms per G + D step over {rounds} rounds (2 threads, batch 64); wrong (shape, tensor) pairs of 1,152 in each round.");
Console.WriteLine();
Console.WriteLine("| ONEDNN_MAX_CPU_ISA | wrong pairs | " + string.Join(" | ", Networks().Select(n => n.Name + " (ms)")) + " |");
Console.WriteLine("| --- | --- | " + string.Join(" | ", Networks().Select(_ => "---:")) + " |");
foreach (string isa in isas)
    Console.WriteLine($"| {isa} | {string.Join(", ", wrong[isa])} | " + string.Join(" | ", Networks().Select(n => steps.TryGetValue((isa, n.Name), out var l) ? Median.Of(l).ToString("F1", inv) : "–")) + " |");
return 0;

static (string Name, NetworkArchitecture Architecture)[] Networks() =>
[
    ("BigGAN ×1/16", new BigGanArchitecture { WidthMultiplier = 0.0625 }),
    ("DCGAN ×1/4", new DcganArchitecture { WidthMultiplier = 0.25 }),
    ("DCGAN ×1", new DcganArchitecture { WidthMultiplier = 1 }),
];

static int WrongPairs()
{
    var generator = new Generator(7);
    int[] channels = [1, 2, 3, 4, 8, 16, 32, 64];
    int wrong = 0;
    for (int repeat = 0; repeat < 2; repeat++)
        foreach (var kind in Enum.GetValues<ConvolutionKind>())
            foreach (int inputs in channels)
                foreach (int outputs in channels)
                {
                    var (output, input, weight) = ConvolutionCheck.RelativeErrors(kind, inputs, outputs, generator, batch: 32);
                    wrong += new[] { output, input, weight }.Count(e => !(e < ConvolutionCheck.Tolerance));
                }
    return wrong;
}

static double MedianStepMs(NetworkArchitecture architecture)
{
    manual_seed(1);
    long[] shape = [1, 32, 32];
    var d = architecture.CreateDiscriminator(shape);
    var g = architecture.CreateGenerator(100, shape);
    var x = rand(64, 1, 32, 32) * 2 - 1;
    var optimizerD = optim.Adam(d.parameters(), 2e-4, 0, 0.999);
    var optimizerG = optim.Adam(g.parameters(), 2e-4, 0, 0.999);
    d.train();
    g.train();
    var times = new List<double>();
    var watch = new Stopwatch();
    for (int step = 0; step < 40; step++)
    {
        watch.Restart();
        using var scope = NewDisposeScope();
        var z = randn(64, 100);
        optimizerD.zero_grad();
        var lossD = nn.functional.relu(1 - d.call(x)).mean() + nn.functional.relu(1 + d.call(g.call(z).detach())).mean();
        lossD.backward();
        optimizerD.step();
        optimizerG.zero_grad();
        var lossG = -d.call(g.call(z)).mean();
        lossG.backward();
        optimizerG.step();
        _ = lossG.item<float>();
        if (step >= 10) times.Add(watch.Elapsed.TotalMilliseconds);
    }
    return times.Order().ElementAt(times.Count / 2);
}
