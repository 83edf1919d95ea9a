using System.Runtime.InteropServices;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Stages;

namespace Omasgan.Cli;

/// <summary>
/// Turns the library's expected failures into a one-line message: exit code 2 for bad input or
/// options (including a file or folder that is not there), 3 for training that diverged, 4 for a
/// failure to read or write that is not the input's fault (a full disk, no permission), 1 for an
/// error inside libtorch.
/// </summary>
internal static class CliErrors
{
    public const int LibTorchError = 1;
    public const int UsageOrInputError = 2;
    public const int TrainingFailed = 3;
    public const int InputOutputFailed = 4;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or ModelLoadException or DataFormatException or InvalidDataException
                                      or FileNotFoundException or DirectoryNotFoundException)
        {
            return Fail(e.Message, UsageOrInputError);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail("cannot read or write: " + e.Message, InputOutputFailed);
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
