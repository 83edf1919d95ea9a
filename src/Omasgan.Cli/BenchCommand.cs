using System.CommandLine;
using Omasgan.Experiments;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary><c>omasgan bench</c>: speed of training steps, scoring and the nearest-data term against this machine's GEMM peak.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var blocks = new Option<int>("--blocks")
        {
            Description = "Blocks of ten steps timed per stage, after one of warm-up (1–1,000).",
            DefaultValueFactory = _ => new BenchmarkOptions().Blocks,
        };
        var quick = new Option<bool>("--quick") { Description = "Small data, two blocks, no DCGAN ×1: a check that every measurement runs, not numbers to quote." };
        var output = new Option<string?>("--out") { Description = "Also write the tables to this Markdown file." };
        var command = new Command("bench", "Measure median step times per stage (DCGAN ×¼ and ×1, BigGAN ×1/16 of cpu-klwgan, the toy's MLP), achieved GFLOP/s against a float32 GEMM peak measured in the same run, scoring throughput, and the nearest-data term's time against the data size.")
        {
            blocks, quick, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            int b = parse.GetValue(blocks);
            if (b is < 1 or > 1000)
                throw new ArgumentException($"--blocks {b}: use 1–1,000.");
            BenchmarkOptions options = parse.GetValue(quick)
                ? new BenchmarkOptions { Blocks = Math.Min(b, 2), ImageData = 2_000, NearestDataSizes = [2_000, 6_000], ScoredImages = 500, FullWidth = false }
                : new BenchmarkOptions { Blocks = b };
            string markdown = Benchmark.Run(options, line => AnsiConsole.MarkupLine(Markup.Escape(line)));
            if (parse.GetValue(output) is string path)
                AtomicFile.WriteAllText(path, markdown);
            Console.WriteLine();
            Console.Write(markdown);
            return 0;
        }));
        return command;
    }
}
