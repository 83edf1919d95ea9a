using System.Runtime.InteropServices;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Stages;

namespace Omasgan.Cli;

/// <summary>
/// Turns the library's expected failures into a one-line message: exit code 2 for bad input or
/// options, 3 for training that diverged, 1 for an error inside libtorch.
/// </summary>
internal static class CliErrors
{
    public const int LibTorchError = 1;
    public const int UsageOrInputError = 2;
    public const int TrainingFailed = 3;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or ModelLoadException or DataFormatException or IOException or InvalidDataException)
        {
            return Fail(e.Message, UsageOrInputError);
        }
        catch (TrainingDivergedException e)
        {
            return Fail(e.Message + " The last complete checkpoint is kept; --rollbacks N retries from it with a lower learning rate.", TrainingFailed);
        }
        catch (ExternalException e)
        {
            // libtorch's messages carry a C++ stack after the first line.
            return Fail("libtorch: " + e.Message.Split('\n')[0], LibTorchError);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
