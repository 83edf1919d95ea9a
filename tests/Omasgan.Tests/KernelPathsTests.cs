using System.Text.Json;
using Omasgan.Tests.Data;

namespace Omasgan.Tests;

/// <summary>
/// The pinned CPU kernel paths: a seed gives the same numbers whichever instruction set MKL would
/// pick by itself (forced here with MKL_ENABLE_INSTRUCTIONS, as on machines with other processors).
/// </summary>
public sealed class KernelPathsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A short toy run's AUROC of each score source (round-trip doubles, as text) and the kernel paths its model records.</summary>
    private (string Aurocs, JsonElement Versions) ToyRun(string name, Dictionary<string, string?> environment)
    {
        string run = Path.Combine(temp.Path, name);
        var result = CliProcess.Run(["toy", "--steps", "30", "--threads", "1", "--out", run], environment: environment);
        Assert.True(result.ExitCode == 0, result.Error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model", "manifest.json")));
        return (metrics.RootElement.GetProperty("detectors").GetRawText(), manifest.RootElement.GetProperty("versions").Clone());
    }

    private static Dictionary<string, string?> Environment(string? instructions) => new()
    {
        ["MKL_ENABLE_INSTRUCTIONS"] = instructions,
        [KernelPaths.OptOutVariable] = null,
        ["MKL_CBWR"] = null, ["ATEN_CPU_CAPABILITY"] = null, ["ONEDNN_MAX_CPU_ISA"] = null,
    };

    [Fact]
    public void Pinned_paths_give_the_same_scores_whichever_instructions_mkl_is_allowed()
    {
        if (!KernelPaths.Supported) return; // nothing is pinned on a processor without AVX2 and FMA
        var sse = ToyRun("pinned-sse", Environment("SSE4_2"));
        var avx2 = ToyRun("pinned-avx2", Environment("AVX2"));
        var unlimited = ToyRun("pinned", Environment(null));
        Assert.Equal(sse.Aurocs, avx2.Aurocs);
        Assert.Equal(sse.Aurocs, unlimited.Aurocs);
        Assert.Equal("AVX2", sse.Versions.GetProperty("mkl_cbwr").GetString());
        Assert.Equal("avx2", sse.Versions.GetProperty("aten_cpu_capability").GetString());
        Assert.Equal("1", sse.Versions.GetProperty("threads").GetString());

    }

    [Fact]
    public void A_path_the_user_chose_is_kept_and_native_leaves_every_path_to_the_libraries()
    {
        var environment = Environment(null);
        environment["MKL_CBWR"] = "COMPATIBLE";
        var chosen = ToyRun("user", environment);
        Assert.Equal("COMPATIBLE", chosen.Versions.GetProperty("mkl_cbwr").GetString());
        Assert.Equal(KernelPaths.Supported ? "avx2" : "", chosen.Versions.GetProperty("aten_cpu_capability").GetString());

        environment = Environment(null);
        environment[KernelPaths.OptOutVariable] = KernelPaths.Native;
        var native = ToyRun("native", environment);
        Assert.All(KernelPaths.Pinned, p => Assert.Equal("", native.Versions.GetProperty(p.Name.ToLowerInvariant()).GetString()));
    }
}
