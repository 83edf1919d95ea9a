using Omasgan.Detection;
using Omasgan.Stages;

namespace Omasgan.Experiments;

/// <summary>Shows a fit's progress: progress bars (the CLI) or nothing (tests, the library).</summary>
public interface IFitObserver
{
    /// <summary>Runs <paramref name="fit"/>, giving it a progress sink for <paramref name="options"/>' stages.</summary>
    T Fit<T>(string title, OmasganOptions options, Func<IProgress<StageProgress>?, T> fit);

    /// <summary>A line for the user.</summary>
    void Info(string line);

    /// <summary>Reports nothing.</summary>
    public static IFitObserver Silent { get; } = new SilentObserver();

    private sealed class SilentObserver : IFitObserver
    {
        public T Fit<T>(string title, OmasganOptions options, Func<IProgress<StageProgress>?, T> fit) => fit(null);
        public void Info(string line) { }
    }
}
