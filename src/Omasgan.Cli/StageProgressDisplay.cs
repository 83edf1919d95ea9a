using Omasgan.Detection;
using Omasgan.Stages;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary>One progress bar per stage with step, losses and ETA.</summary>
internal static class StageProgressDisplay
{
    public static T Run<T>(OmasganOptions options, Func<IProgress<StageProgress>, T> work)
    {
        IReadOnlyDictionary<OmasganStage, int> steps = options.StageSteps;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return work(new Progress(update => { }, plain: true));

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = steps.ToDictionary(s => s.Key, s => ctx.AddTask(s.Key.Title(), autoStart: false, maxValue: Math.Max(1, s.Value)));
                result = work(new Progress(update =>
                {
                    ProgressTask task = tasks[update.Stage];
                    if (!task.IsStarted) task.StartTask();
                    task.Value = update.Step;
                    task.Description = $"{update.Stage.Title()} {Markup.Escape(Describe(update))}";
                    if (update.Step == update.Steps) task.StopTask();
                }, plain: false));
            });
        return result;
    }

    private static string Describe(StageProgress update) =>
        $"{update.Step}/{update.Steps} " + string.Join(" ", update.Losses.Select(l => $"{l.Key} {l.Value:G4}"));

    /// <summary>Synchronous progress (System.Progress posts to the thread pool and can reorder updates).</summary>
    private sealed class Progress(Action<StageProgress> onUpdate, bool plain) : IProgress<StageProgress>
    {
        private DateTime lastLine = DateTime.MinValue;
        private OmasganStage? stage;
        private readonly System.Diagnostics.Stopwatch stageClock = new();

        public void Report(StageProgress value)
        {
            if (!plain)
            {
                onUpdate(value);
                return;
            }
            if (stage != value.Stage)
            {
                stage = value.Stage;
                stageClock.Restart();
            }
            // Non-interactive output (CI, pipes): a line every few seconds and at the end of each stage.
            if (value.Step == value.Steps || DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(5))
            {
                lastLine = DateTime.UtcNow;
                double eta = stageClock.Elapsed.TotalSeconds / value.Step * (value.Steps - value.Step);
                Console.Error.WriteLine($"{value.Stage.Title()} {Describe(value)} · {stageClock.Elapsed.TotalSeconds:F0} s, ETA {eta:F0} s");
            }
        }
    }
}
