using System.Diagnostics;
using Omasgan.Stages;

namespace Omasgan.Experiments;

/// <summary>Forwards progress and times each stage (seconds keyed "stage1" … "stage4").</summary>
internal sealed class StageClock(IProgress<StageProgress>? inner) : IProgress<StageProgress>
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private OmasganStage? current;
    public Dictionary<string, double> Seconds { get; } = [];

    public void Report(StageProgress value)
    {
        if (current != value.Stage)
        {
            Finish();
            current = value.Stage;
        }
        inner?.Report(value);
    }

    /// <summary>Ends the current stage's timing.</summary>
    public void Finish()
    {
        if (current is OmasganStage stage)
            Seconds[$"stage{(int)stage}"] = clock.Elapsed.TotalSeconds;
        current = null;
        clock.Restart();
    }
}
