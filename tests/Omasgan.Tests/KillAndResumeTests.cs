using System.Diagnostics;
using Omasgan.Detection;
using Omasgan.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>The real commands, killed with SIGKILL at a random moment and resumed.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static void RunToEnd(params string[] args)
    {
        var result = CliProcess.Run(args, minutes: 5);
        Assert.True(result.ExitCode == 0, result.Error);
    }

    /// <summary>Where the killed run's checkpoints are: its own folder (train, toy) or a fold's.</summary>
    private string checkpointFolder = "checkpoints";

    /// <summary>
    /// Runs <paramref name="command"/> to its end into one folder, and into another kills it at a random
    /// moment (up to <paramref name="maxDelaySeconds"/>) after its first checkpoint and resumes it with
    /// <paramref name="resume"/>(folder); returns both run folders.
    /// </summary>
    private (string Whole, string Killed) KillAndResume(string[] command, Func<string, string[]> resume, double maxDelaySeconds)
    {
        string whole = Path.Combine(temp.Path, "whole"), killed = Path.Combine(temp.Path, "killed");
        RunToEnd([.. command, "--out", whole]);

        double delay = Random.Shared.NextDouble() * maxDelaySeconds;
        using (Process victim = CliProcess.Start([.. command, "--out", killed]))
        {
            string manifest = Path.Combine(killed, checkpointFolder, "checkpoint.json");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(manifest) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
                Thread.Sleep(20);
            Thread.Sleep(TimeSpan.FromSeconds(delay));
            Assert.False(victim.HasExited, $"the run ended before the kill ({delay:F2} s after its first checkpoint)");
            victim.Kill(entireProcessTree: true); // SIGKILL
            victim.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, checkpointFolder, "..", "model", OmasganDetector.ManifestFileName)), "the killed run had finished");
        RunToEnd(resume(killed));
        return (whole, killed);
    }

    [Fact]
    public void A_toy_run_killed_at_a_random_moment_resumes_to_the_same_detector()
    {
        var (whole, killed) = KillAndResume(["toy", "--threads", "1", "--steps", "1200", "--checkpoint-every", "100"],
            folder => ["toy", "--threads", "1", "--out", folder, "--resume"], maxDelaySeconds: 2.0);

        using var expected = OmasganDetector.Load(Path.Combine(whole, "model"));
        using var actual = OmasganDetector.Load(Path.Combine(killed, "model"));
        var probe = DetectorTests.ToyTraining(256, seed: 21);
        foreach (ScoreColumn source in expected.Columns)
            Assert.Equal(expected.Score(probe, source), actual.Score(probe, source));
    }

    [Theory]
    [InlineData("dcgan", 120, 20, 3.0)]
    // Four discriminator updates per step on residual networks; the moving average of G is checkpointed too.
    [InlineData("klwgan", 16, 4, 4.0)]
    public void An_image_training_run_killed_at_a_random_moment_resumes_to_the_same_detector(string model, int steps, int every, double maxDelay)
    {
        for (int i = 0; i < 40; i++)
            temp.Write(Path.Combine("images", $"{i:D2}.png"), DataFiles.Image(SKEncodedImageFormat.Png, 28, 28, grey: true,
                (x, y, _) => (byte)((x * (i % 5 + 1) + y * 3 + i) % 256)));
        string images = Path.Combine(temp.Path, "images");
        var (whole, killed) = KillAndResume(["train", "--images", images, "--model", model, "--threads", "1", "--steps", $"{steps}",
                "--checkpoint-every", $"{every}"],
            folder => ["train", "--threads", "1", "--out", folder, "--resume"], maxDelaySeconds: maxDelay);

        using var expected = OmasganDetector.Load(Path.Combine(whole, "model"));
        using var actual = OmasganDetector.Load(Path.Combine(killed, "model"));
        manual_seed(4);
        // The folder's images are read at the networks' side, 32×32.
        Tensor probe = randint(0, 256, [32, 1, 32, 32]).to_type(ScalarType.Byte);
        foreach (ScoreColumn source in expected.Columns)
            Assert.Equal(expected.Score(probe, source), actual.Score(probe, source));
    }

    [Fact]
    public void A_leave_one_out_fold_killed_at_a_random_moment_resumes_to_the_same_detector()
    {
        // A small MNIST-format dataset written here: 10 classes, brightness following the label.
        int[] labels = Enumerable.Range(0, 200).Select(i => i % 10).ToArray();
        string data = temp.WriteIdxDataset("data", labels, labels[..100]);
        checkpointFolder = Path.Combine("class-2-seed-1", "omasgan", "checkpoints");
        string[] command = ["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "2", "--threads", "1",
            "--detectors", "omasgan", "--steps", "120", "--checkpoint-every", "20"];
        var (whole, killed) = KillAndResume(command, folder => [.. command, "--out", folder, "--resume"], maxDelaySeconds: 3.0);

        using var expected = OmasganDetector.Load(Path.Combine(whole, "class-2-seed-1", "omasgan", "model"));
        using var actual = OmasganDetector.Load(Path.Combine(killed, "class-2-seed-1", "omasgan", "model"));
        manual_seed(4);
        Tensor probe = randint(0, 256, [32, 1, 28, 28]).to_type(ScalarType.Byte);
        foreach (ScoreColumn source in expected.Columns)
            Assert.Equal(expected.Score(probe, source), actual.Score(probe, source));
        Assert.True(File.Exists(Path.Combine(killed, "report.md")));
    }
}
