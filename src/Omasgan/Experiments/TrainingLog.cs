using System.Globalization;
using Omasgan.Stages;
using TorchSharp;

namespace Omasgan.Experiments;

/// <summary>
/// Records the losses of every progress report (every <see cref="StageContext.ReportInterval"/>
/// steps) as CSV rows <c>stage,step,loss,value</c>, and optionally as TensorBoard event files
/// (tags <c>stage1/D</c> and so on, TorchSharp's writer), then forwards the report. A resumed run
/// appends to the same file.
/// </summary>
public sealed class TrainingLog : IProgress<StageProgress>, IDisposable
{
    public const string FileName = "losses.csv";
    public const string TensorBoardFolder = "tensorboard";

    private readonly IProgress<StageProgress>? inner;
    private readonly StreamWriter csv;
    private readonly TorchSharp.Modules.SummaryWriter? tensorBoard;
    // Steps already counted before each stage, so TensorBoard's x axis runs through the whole fit.
    private readonly Dictionary<OmasganStage, int> offsets;

    /// <param name="stageSteps">steps of each stage, for a continuous TensorBoard step axis.</param>
    public TrainingLog(string runDirectory, IReadOnlyDictionary<OmasganStage, int> stageSteps, bool tensorBoard,
        IProgress<StageProgress>? inner = null)
    {
        this.inner = inner;
        string path = Path.Combine(runDirectory, FileName);
        bool exists = File.Exists(path);
        csv = new StreamWriter(path, append: true);
        if (!exists) csv.WriteLine("stage,step,loss,value");
        if (tensorBoard)
            this.tensorBoard = torch.utils.tensorboard.SummaryWriter(Path.Combine(runDirectory, TensorBoardFolder), "", false);
        int total = 0;
        offsets = [];
        foreach (OmasganStage stage in Enum.GetValues<OmasganStage>())
        {
            offsets[stage] = total;
            total += stageSteps.GetValueOrDefault(stage);
        }
    }

    public void Report(StageProgress value)
    {
        foreach (var (name, loss) in value.Losses)
        {
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(int)value.Stage},{value.Step},{name},{loss:R}"));
            tensorBoard?.add_scalar($"stage{(int)value.Stage}/{name}", (float)loss, offsets[value.Stage] + value.Step);
        }
        if (value.Step == value.Steps) csv.Flush();
        inner?.Report(value);
    }

    // TorchSharp's writer appends each event to its file as it is added; nothing to close.
    public void Dispose() => csv.Dispose();
}
