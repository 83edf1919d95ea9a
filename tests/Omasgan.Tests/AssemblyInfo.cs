using System.Runtime.CompilerServices;

// Tests seed and use libtorch's global random generator and thread pool: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Omasgan.Tests;

internal static class TestSetup
{
    /// <summary>The same CPU kernel paths as the command-line tool, before any test touches a tensor.</summary>
    [ModuleInitializer]
    internal static void PinKernelPaths() => KernelPaths.Pin();
}
