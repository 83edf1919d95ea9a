using System.Diagnostics;
using System.Text;

namespace Omasgan.Tests;

/// <summary>Runs the real <c>omasgan</c> command (Omasgan.Cli.dll beside the tests) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Starts the command; its output is collected into <paramref name="output"/> and <paramref name="error"/> when given.</summary>
    /// <param name="environment">variables to set (a null value removes one) in the child's environment.</param>
    public static Process Start(string[] args, StringBuilder? output = null, StringBuilder? error = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Omasgan.Cli.dll"));
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;
        var process = Process.Start(info)!;
        // Drain the pipes so the child never blocks on a full buffer.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (process) output?.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (process) error?.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs the command to its end (at most <paramref name="minutes"/>).</summary>
    public static Result Run(string[] args, int minutes = 10, IReadOnlyDictionary<string, string?>? environment = null)
    {
        StringBuilder output = new(), error = new();
        using Process process = Start(args, output, error, environment);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(minutes)), $"omasgan {string.Join(" ", args)} did not finish");
        process.WaitForExit(); // flushes the asynchronous readers
        lock (process) return new Result(process.ExitCode, output.ToString(), error.ToString());
    }
}
