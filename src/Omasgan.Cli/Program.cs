using System.CommandLine;
using Omasgan.Cli;

var threads = new Option<int>("--threads")
{
    Description = "CPU threads for libtorch (default: the core count).",
    DefaultValueFactory = _ => Environment.ProcessorCount,
    Recursive = true,
};
var root = new RootCommand("OMASGAN anomaly detection: learns from normal data only, scores how anomalous new data is.")
{
    threads,
    ToyCommand.Create(),
};
ParseResult parse = root.Parse(args);
if (parse.Errors.Count == 0)
    TorchSharp.torch.set_num_threads(Math.Max(1, parse.GetValue(threads)));
return parse.Invoke();
