using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Omasgan.Detection;
using Omasgan.Networks;

namespace Omasgan.Tests;

public sealed class ModelFuzzTests : IDisposable
{
    private readonly string valid = Path.Combine(Path.GetTempPath(), "omasgan-fuzz-" + Guid.NewGuid());
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public ModelFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        this.output = output;
        using var detector = OmasganTrainer.Fit(DetectorTests.ToyTraining(), DetectorTests.TinyOptions(steps: 2));
        detector.Save(valid);
    }

    public void Dispose() => Directory.Delete(valid, recursive: true);

    [Theory]
    [InlineData(2, 2, 64, 3)]
    [InlineData(100, 7, 16, 1)]
    public void Parameter_count_matches_the_built_networks(int latent, int features, int width, int layers)
    {
        var architecture = new MlpArchitecture { HiddenWidth = width, HiddenLayers = layers };
        long built = architecture.CreateGenerator(latent, [features]).parameters().Sum(p => p.numel())
                     + architecture.CreateDiscriminator([features]).parameters().Sum(p => p.numel());
        Assert.Equal(built, architecture.ParameterCount(latent, [features]));
    }

    /// <summary>
    /// Thousands of mutated copies of a valid model (truncations, bit flips, numbers replaced by huge
    /// or negative ones, repeated chunks): each loads cleanly or fails with <see cref="ModelLoadException"/>,
    /// quickly, without allocating what a mutated manifest declares.
    /// </summary>
    [Fact]
    public void Mutated_models_load_or_fail_cleanly()
    {
        const int cases = 3000;
        var random = new Random(20261128);
        byte[] manifest = File.ReadAllBytes(Path.Combine(valid, OmasganDetector.ManifestFileName));
        byte[] weights = File.ReadAllBytes(Path.Combine(valid, OmasganDetector.WeightsFileName));
        var probe = DetectorTests.ToyTraining(8, seed: 2);
        string dir = valid + "-case";
        Directory.CreateDirectory(dir);
        var outcomes = new Dictionary<string, int>();
        var slowest = TimeSpan.Zero;
        long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        try
        {
            for (int i = 0; i < cases; i++)
            {
                bool mutateManifest = random.Next(2) == 0;
                (byte[] m, byte[] w) = mutateManifest ? (Mutate(manifest, random, text: true), weights) : (manifest, Mutate(weights, random, text: false));
                File.WriteAllBytes(Path.Combine(dir, OmasganDetector.ManifestFileName), m);
                File.WriteAllBytes(Path.Combine(dir, OmasganDetector.WeightsFileName), w);
                var clock = Stopwatch.StartNew();
                string outcome;
                try
                {
                    using var loaded = OmasganDetector.Load(dir);
                    Assert.Equal(8, loaded.Score(probe).Length);
                    outcome = "loaded";
                }
                catch (ModelLoadException)
                {
                    outcome = "refused";
                }
                catch (Exception e)
                {
                    Assert.Fail($"case {i} ({(mutateManifest ? "manifest" : "weights")}): {e.GetType().Name}: {e.Message}");
                    throw;
                }
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        long grown = Process.GetCurrentProcess().PeakWorkingSet64 - peakBefore;
        output.WriteLine($"{cases} cases: {string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}"))}; slowest {slowest.TotalMilliseconds:F0} ms; peak working set +{grown >> 20} MiB");
        Assert.True(outcomes.GetValueOrDefault("refused") > cases / 2, string.Join(", ", outcomes));
        Assert.True(slowest < TimeSpan.FromSeconds(10), $"slowest case {slowest}");
        Assert.True(grown < 1L << 30, $"peak working set grew by {grown >> 20} MiB");
    }

    static readonly Regex Number = new(@"(?<=[:\[,]\s*)-?\d+(\.\d+)?", RegexOptions.Compiled);
    static readonly string[] Extremes = ["2147483647", "9223372036854775807", "-1", "0", "1e308", "4096", "1048576"];

    static byte[] Mutate(byte[] original, Random random, bool text)
    {
        switch (random.Next(text ? 4 : 3))
        {
            case 0: // truncate
                return original[..random.Next(original.Length)];
            case 1: // flip bits
            {
                byte[] copy = (byte[])original.Clone();
                for (int k = random.Next(1, 9); k > 0; k--)
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 2: // repeat a chunk
            {
                int start = random.Next(original.Length), length = random.Next(1, Math.Min(4096, original.Length - start) + 1);
                return [.. original[..(start + length)], .. original[start..]];
            }
            default: // replace a number with an extreme one
            {
                string json = Encoding.UTF8.GetString(original);
                MatchCollection numbers = Number.Matches(json);
                Match target = numbers[random.Next(numbers.Count)];
                string replaced = json[..target.Index] + Extremes[random.Next(Extremes.Length)] + json[(target.Index + target.Length)..];
                return Encoding.UTF8.GetBytes(replaced);
            }
        }
    }
}
