using System.Diagnostics;
using Omasgan.Detection;

namespace Omasgan.Tests;

/// <summary>The real command, killed with SIGKILL at a random moment and resumed.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "omasgan-kill-" + Guid.NewGuid());

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static void RunToEnd(params string[] args) => Assert.Equal(0, CliProcess.Run(args, minutes: 5).ExitCode);

    [Fact]
    public void A_run_killed_at_a_random_moment_resumes_to_the_same_detector()
    {
        string[] common = ["toy", "--threads", "1", "--steps", "1200", "--checkpoint-every", "100"];
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        RunToEnd([.. common, "--out", whole]);

        double delay = Random.Shared.NextDouble() * 2.0;
        using (Process victim = CliProcess.Start([.. common, "--out", killed]))
        {
            string manifest = Path.Combine(killed, "checkpoints", "checkpoint.json");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(manifest) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
                Thread.Sleep(20);
            Thread.Sleep(TimeSpan.FromSeconds(delay));
            Assert.False(victim.HasExited, $"the run ended before the kill ({delay:F2} s after its first checkpoint)");
            victim.Kill(entireProcessTree: true); // SIGKILL
            victim.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "model", OmasganDetector.ManifestFileName)), "the killed run had finished");

        RunToEnd(["toy", "--threads", "1", "--out", killed, "--resume"]);

        using var expected = OmasganDetector.Load(Path.Combine(whole, "model"));
        using var actual = OmasganDetector.Load(Path.Combine(killed, "model"));
        var probe = DetectorTests.ToyTraining(256, seed: 21);
        foreach (ScoreSource source in Enum.GetValues<ScoreSource>())
            Assert.Equal(expected.Score(probe, source), actual.Score(probe, source));
    }
}
