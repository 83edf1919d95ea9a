using System.CommandLine;
using System.CommandLine.Help;
using Omasgan.Cli;

// Before any tensor operation: the same seed gives the same numbers on every AVX2 machine.
Omasgan.KernelPaths.Pin();

var threads = new Option<int?>("--threads")
{
    Description = "CPU threads for libtorch (default: 1 for toy, ladder and --table, whose small networks run slower with more; the core count otherwise). A seed's numbers may depend on it (it is recorded with each model).",
    Recursive = true,
};
// Commands of small vector networks, where intra-op threads cost more than they bring.
string[] singleThreaded = ["toy", "ladder"];
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
    BenchCommand.Create(),
};
ParseResult parse = root.Parse(args);
// Tables train the same small vector networks.
bool table = parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == "--table" && !o.Implicit);
if (parse.Errors.Count == 0)
    TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(threads)
        ?? (singleThreaded.Contains(parse.CommandResult.Command.Name) || table ? 1 : Environment.ProcessorCount)));
return parse.Invoke();
