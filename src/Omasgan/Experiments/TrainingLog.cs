using System.Globalization;
using Omasgan.Stages;
using TorchSharp;

namespace Omasgan.Experiments;

/// <summary>
/// Records the losses of every progress report (every <see cref="StageContext.ReportInterval"/>
/// steps) as CSV rows <c>stage,step,loss,value</c>, written through at each report, and optionally
/// as TensorBoard event files (tags <c>stage1/D</c> and so on, TorchSharp's writer), then forwards
/// the report. A resumed run keeps the rows up to its checkpoint, drops the later ones (their steps
/// run again) and appends.
/// </summary>
public sealed class TrainingLog : IProgress<StageProgress>, IDisposable
{
    public const string FileName = "losses.csv";
    public const string TensorBoardFolder = "tensorboard";
    private const string Header = "stage,step,loss,value";

    private readonly IProgress<StageProgress>? inner;
    private readonly StreamWriter csv;
    private readonly TorchSharp.Modules.SummaryWriter? tensorBoard;
    // Steps already counted before each stage, so TensorBoard's x axis runs through the whole fit.
    private readonly Dictionary<OmasganStage, int> offsets;

    /// <param name="stageSteps">steps of each stage, for a continuous TensorBoard step axis.</param>
    /// <param name="resumedAt">the checkpoint a resumed run continues from (null: a fresh start, which starts the file anew).</param>
    public TrainingLog(string runDirectory, IReadOnlyDictionary<OmasganStage, int> stageSteps, bool tensorBoard,
        IProgress<StageProgress>? inner = null, (OmasganStage Stage, int Step)? resumedAt = null)
    {
        this.inner = inner;
        string path = Path.Combine(runDirectory, FileName);
        string[] kept = resumedAt is var (stage, step) && File.Exists(path)
            ? File.ReadLines(path).Skip(1).Where(row => IsUpTo(row, stage, step)).ToArray()
            : [];
        AtomicFile.WriteAllText(path, string.Concat([Header + "\n", .. kept.Select(row => row + "\n")]));
        csv = new StreamWriter(path, append: true) { AutoFlush = true };
        if (tensorBoard)
            this.tensorBoard = torch.utils.tensorboard.SummaryWriter(Path.Combine(runDirectory, TensorBoardFolder), "", false);
        int total = 0;
        offsets = [];
        foreach (OmasganStage s in Enum.GetValues<OmasganStage>())
        {
            offsets[s] = total;
            total += stageSteps.GetValueOrDefault(s);
        }
    }

    /// <summary>Whether a CSV row was logged at or before step <paramref name="step"/> of <paramref name="stage"/>.</summary>
    private static bool IsUpTo(string row, OmasganStage stage, int step)
    {
        string[] cells = row.Split(',');
        return cells.Length == 4 && int.TryParse(cells[0], CultureInfo.InvariantCulture, out int rowStage)
            && int.TryParse(cells[1], CultureInfo.InvariantCulture, out int rowStep)
            && (rowStage < (int)stage || (rowStage == (int)stage && rowStep <= step));
    }

    public void Report(StageProgress value)
    {
        foreach (var (name, loss) in value.Losses)
        {
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(int)value.Stage},{value.Step},{name},{loss:R}"));
            tensorBoard?.add_scalar($"stage{(int)value.Stage}/{name}", (float)loss, offsets[value.Stage] + value.Step);
        }
        inner?.Report(value);
    }

    // TorchSharp's writer appends each event to its file as it is added; nothing to close.
    public void Dispose() => csv.Dispose();
}
