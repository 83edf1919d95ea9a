using Omasgan.Stages;

namespace Omasgan.Experiments;

/// <summary>
/// Forwards progress and times each stage (seconds keyed "stage1" … "stage4"). Stages report every
/// few steps and always at their last step, so a stage's time runs from the previous stage's last
/// report (or the clock's start) to its own last report.
/// </summary>
internal sealed class StageClock : IProgress<StageProgress>
{
    private readonly IProgress<StageProgress>? inner;
    private readonly TimeProvider time;
    private OmasganStage? current;
    private long stageStart, lastReport;

    public StageClock(IProgress<StageProgress>? inner, TimeProvider? time = null)
    {
        this.inner = inner;
        this.time = time ?? TimeProvider.System;
        stageStart = lastReport = this.time.GetTimestamp();
    }

    public Dictionary<string, double> Seconds { get; } = [];

    public void Report(StageProgress value)
    {
        long now = time.GetTimestamp();
        if (current != value.Stage)
        {
            Close(lastReport);
            current = value.Stage;
        }
        lastReport = now;
        inner?.Report(value);
    }

    /// <summary>Ends the current stage's timing at its last report (call after training).</summary>
    public void Finish() => Close(lastReport);

    private void Close(long end)
    {
        if (current is OmasganStage stage)
            Seconds[$"stage{(int)stage}"] = time.GetElapsedTime(stageStart, end).TotalSeconds;
        current = null;
        stageStart = end;
    }
}
