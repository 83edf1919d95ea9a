using System.CommandLine;
using System.CommandLine.Help;
using Omasgan.Cli;

var threads = new Option<int>("--threads")
{
    Description = "CPU threads for libtorch (default: the core count).",
    DefaultValueFactory = _ => Environment.ProcessorCount,
    Recursive = true,
};
// Named explicitly: the executable is Omasgan.Cli, the command a user types is omasgan.
var root = new Command("omasgan", "OMASGAN anomaly detection: learns from normal data only, scores how anomalous new data is.")
{
    new HelpOption(),
    new VersionOption(),
    threads,
    ToyCommand.Create(),
    LadderCommand.Create(),
    TrainCommand.Create(),
    LooCommand.Create(),
    ScoreCommand.Create(),
};
ParseResult parse = root.Parse(args);
if (parse.Errors.Count == 0)
    TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(threads)));
return parse.Invoke();
