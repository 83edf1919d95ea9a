using Omasgan.Detection;
using Omasgan.Stages;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary>Turns the library's expected failures into a one-line message and exit code 2.</summary>
internal static class CliErrors
{
    public const int UsageOrInputError = 2;
    public const int TrainingFailed = 3;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or ModelLoadException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UsageOrInputError;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return TrainingFailed;
        }
    }
}
