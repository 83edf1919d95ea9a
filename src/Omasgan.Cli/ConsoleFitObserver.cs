using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Stages;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary>Shows each fit's stages as progress bars (plain lines when the output is not a terminal).</summary>
internal sealed class ConsoleFitObserver : IFitObserver
{
    public T Fit<T>(string title, OmasganOptions options, Func<IProgress<StageProgress>?, T> fit)
    {
        Info(title);
        return StageProgressDisplay.Run(options, progress => fit(progress));
    }

    public void Info(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));
}
