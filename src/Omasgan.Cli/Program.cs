using System.CommandLine;
using Omasgan.Cli;

TorchSharp.torch.set_num_threads(Environment.ProcessorCount);

var root = new RootCommand("OMASGAN anomaly detection: learns from normal data only, scores how anomalous new data is.")
{
    ToyCommand.Create(),
};
return root.Parse(args).Invoke();
