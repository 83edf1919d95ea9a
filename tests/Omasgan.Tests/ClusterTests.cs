using System.Diagnostics;
using System.Text.Json;
using Omasgan.Detection;
using Omasgan.Experiments.Loo;
using Omasgan.Tests.Data;
using YamlDotNet.RepresentationModel;

namespace Omasgan.Tests;

/// <summary>Folds run as separate processes into one run folder, and the cluster job files of deploy/.</summary>
public sealed class ClusterTests : IDisposable
{
    private readonly TempFolder temp = new();

    [Fact]
    public async Task Two_loo_processes_on_one_run_folder_at_once_give_the_report_of_the_same_folds_run_one_after_the_other()
    {
        int[] labels = Enumerable.Range(0, 120).Select(i => i % 10).ToArray();
        string data = temp.WriteIdxDataset("data", labels, labels[..60]);
        string[] Command(string run, string classes) => ["loo", "--dataset", "mnist", "--data-dir", data, "--classes", classes,
            "--detectors", "omasgan,knn", "--steps", "3", "--threads", "1", "--out", run];

        string together = Path.Combine(temp.Path, "together"), apart = Path.Combine(temp.Path, "apart");
        CliProcess.Result[] running = await Task.WhenAll(
            Task.Run(() => CliProcess.Run(Command(together, "2"))), Task.Run(() => CliProcess.Run(Command(together, "5"))));
        Assert.All(running, r => Assert.True(r.ExitCode == 0, r.Error));
        foreach (string classes in new[] { "2", "5" })
        {
            var result = CliProcess.Run(Command(apart, classes));
            Assert.True(result.ExitCode == 0, result.Error);
        }

        // Whichever process ended last rebuilt the summary from both folds; `loo report` does the same.
        File.Delete(Path.Combine(together, LooReport.ReportFileName));
        var report = CliProcess.Run(["loo", "report", together]);
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.True(File.Exists(Path.Combine(together, LooReport.ReportFileName)));
        LooSummary a = Summary(together), b = Summary(apart);
        Assert.Equal("1", a.Versions["threads"]);   // the folds' --threads, not the report process's
        Assert.Equal([2, 5], a.Folds.Select(f => f.Class));
        Assert.Equal(b.Folds.Select(f => (f.Class, f.Seed)), a.Folds.Select(f => (f.Class, f.Seed)));
        foreach (var (x, y) in a.Folds.Zip(b.Folds))
            Assert.Equal(y.Detectors.ToDictionary(d => d.Key, d => (d.Value.Auroc, d.Value.Auprc)), x.Detectors.ToDictionary(d => d.Key, d => (d.Value.Auroc, d.Value.Auprc)));
        Assert.Empty(Directory.GetFiles(together, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(together, "*.lock", SearchOption.AllDirectories));
        AssertOneLine(CliProcess.Run(["loo", "report", Path.Combine(temp.Path, "nothing")]), "no leave-one-out run here");
    }

    private static void AssertOneLine(CliProcess.Result result, string mentions)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(mentions, result.Error);
    }

    private static LooSummary Summary(string run) =>
        JsonSerializer.Deserialize<LooSummary>(File.ReadAllText(Path.Combine(run, LooReport.SummaryFileName)), OmasganDetector.JsonOptions)!;

    /// <summary>The repository's deploy/ folder, found upwards from the test binaries.</summary>
    private static string Deploy(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "deploy", file)))
                return Path.Combine(dir.FullName, "deploy", file);
        throw new FileNotFoundException($"deploy/{file} not found above {AppContext.BaseDirectory}");
    }

    private static YamlMappingNode Yaml(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Deploy(file))));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlNode At(YamlMappingNode node, params string[] path) =>
        path.Aggregate((YamlNode)node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    [Fact]
    public void The_kubernetes_job_files_parse_and_run_one_fold_per_completion_index_on_a_shared_folder()
    {
        YamlMappingNode folds = Yaml("loo-kubernetes.yaml"), report = Yaml("loo-kubernetes-report.yaml");
        foreach (var job in new[] { folds, report })
        {
            Assert.Equal("batch/v1", At(job, "apiVersion").ToString());
            Assert.Equal("Job", At(job, "kind").ToString());
        }
        Assert.Equal("Indexed", At(folds, "spec", "completionMode").ToString());
        Assert.Equal(Omasgan.Data.DatasetCatalog.ClassCount("fashion-mnist").ToString(), At(folds, "spec", "completions").ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)At(folds, "spec", "template", "spec", "containers")).Children[0];
        string command = string.Join(' ', ((YamlSequenceNode)At(container, "args")).Children.Select(c => c.ToString()));
        Assert.Contains("--classes \"$JOB_COMPLETION_INDEX\"", command);
        Assert.Contains("--out /runs/", command);
        string[] reportCommand = ((YamlSequenceNode)At((YamlMappingNode)((YamlSequenceNode)At(report, "spec", "template", "spec", "containers")).Children[0], "command"))
            .Children.Select(c => c.ToString()).ToArray();
        // The report step reads the run folder the folds write.
        Assert.Equal(["omasgan", "loo", "report", "/runs/loo-fashion-mnist-cpu"], reportCommand);
        Assert.Contains("--out /runs/loo-fashion-mnist-cpu ", command);
    }

    [Fact]
    public void The_slurm_script_is_valid_bash_and_runs_one_class_per_array_task()
    {
        string script = Deploy("loo-slurm.sh");
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true })!;
        string error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, error);
        string text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --array=0-9", text);
        Assert.Contains("--classes \"$SLURM_ARRAY_TASK_ID\"", text);
        Assert.Contains("loo report", text);
    }

    public void Dispose() => temp.Dispose();
}
