using Omasgan.Cli;

namespace Omasgan.Tests;

public class CliErrorsTests
{
    [Fact]
    public void A_missing_input_is_the_user_s_error_and_a_failed_write_is_not()
    {
        Assert.Equal(CliErrors.UsageOrInputError, CliErrors.Run(() => throw new FileNotFoundException("data.bin: not found")));
        Assert.Equal(CliErrors.UsageOrInputError, CliErrors.Run(() => throw new DirectoryNotFoundException("no such folder")));
        Assert.Equal(CliErrors.UsageOrInputError, CliErrors.Run(() => throw new ArgumentException("bad option")));
        // A full disk or a folder it may not write: the run failed, the command line was fine.
        Assert.Equal(CliErrors.InputOutputFailed, CliErrors.Run(() => throw new IOException("No space left on device")));
        Assert.Equal(CliErrors.InputOutputFailed, CliErrors.Run(() => throw new UnauthorizedAccessException("Access denied")));
    }
}
