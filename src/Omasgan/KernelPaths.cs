using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Omasgan;

/// <summary>
/// Pins the instruction-set paths of libtorch's CPU kernels so that a seed gives the same numbers on
/// every x86-64 machine with AVX2 and FMA, whatever wider instructions it also has. Without this, MKL's
/// matrix kernels, ATen's vectorised kernels and oneDNN's convolutions each pick a code path by the
/// processor (AVX-512 on one Xeon, an SSE path on an AMD EPYC), and the different rounding of each
/// path sends a GAN's training elsewhere. The three switches are the libraries' own documented ones:
/// MKL's Conditional Numerical Reproducibility branch (<c>MKL_CBWR</c>), ATen's dispatch level
/// (<c>ATEN_CPU_CAPABILITY</c>) and oneDNN's instruction-set ceiling (<c>ONEDNN_MAX_CPU_ISA</c>).
/// oneDNN is held at AVX, one step below the others: on an AMD EPYC virtual machine with AVX-512
/// (one that exposes no cache topology), the AVX2 and AVX-512 kernels of libtorch 2.10's oneDNN 3.7.1
/// returned wrong input gradients for 3×3 stride-1 convolutions (NaN, or off by 27–112 % of their
/// largest value), which sent every image GAN to NaN within a few steps; its AVX kernels were exact there
/// (<c>ConvolutionGradientTests</c> checks this on whatever machine runs the tests).
/// </summary>
/// <remarks>
/// The libraries read these variables from the process environment the first time they compute, so
/// <see cref="Pin"/> must run before any tensor operation; the command-line tool and the tests call it
/// first thing. A variable already set is left as it is (a user can choose another path, e.g.
/// <c>MKL_CBWR=AUTO</c>), and <c>OMASGAN_KERNELS=native</c> leaves all three to the libraries.
/// libtorch's thread count may also change results, so runs record it beside the paths: the same seed,
/// thread count and pinned paths give the same numbers.
/// </remarks>
public static class KernelPaths
{
    /// <summary>Set to <see cref="Native"/> to leave every kernel path to the libraries.</summary>
    public const string OptOutVariable = "OMASGAN_KERNELS";
    public const string Native = "native";

    /// <summary>The variables set and their pinned values.</summary>
    public static IReadOnlyList<(string Name, string Value)> Pinned { get; } =
    [
        ("MKL_CBWR", "AVX2"),
        ("ATEN_CPU_CAPABILITY", "avx2"),
        ("ONEDNN_MAX_CPU_ISA", "AVX"),
    ];

    /// <summary>Whether this processor runs the pinned path (x86-64 with AVX2 and FMA).</summary>
    public static bool Supported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Sets each pinned variable that is not already set, in the native environment the libraries read.
    /// Does nothing on a processor without AVX2 and FMA, or when <see cref="OptOutVariable"/> is
    /// <see cref="Native"/>. Call before the first tensor operation.
    /// </summary>
    public static void Pin()
    {
        if (!Supported || string.Equals(Environment.GetEnvironmentVariable(OptOutVariable), Native, StringComparison.OrdinalIgnoreCase))
            return;
        foreach (var (name, value) in Pinned)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) continue;
            // .NET keeps its own copy of the environment on Unix; native code reads libc's.
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                _ = setenv(name, value, 0);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>The kernel-path variables as the process has them ("" where unset), for run records.</summary>
    public static IReadOnlyDictionary<string, string> Current =>
        Pinned.ToDictionary(p => p.Name.ToLowerInvariant(), p => Environment.GetEnvironmentVariable(p.Name) ?? "");

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
