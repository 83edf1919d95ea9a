using System.Globalization;
using System.Text;
using System.Text.Json;
using Omasgan.Data;
using Omasgan.Experiments.Loo;
using Omasgan.Tests.Data;

namespace Omasgan.Tests;

/// <summary>Tables through the real <c>omasgan</c> command: bad input refused in one line, one-vs-rest, leave-one-out and scoring rows.</summary>
public sealed class TableCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A CSV of three features and a label: class a near the origin, b near (4, 4, 4), c near (−4, 4, 0).</summary>
    private string LabelledTable(string name = "data.csv", int perClass = 60)
    {
        var random = new Random(7);
        var text = new StringBuilder("x,y,z,label\n");
        foreach (var (label, centre) in new[] { ("a", new[] { 0.0, 0, 0 }), ("b", new[] { 4.0, 4, 4 }), ("c", new[] { -4.0, 4, 0 }) })
            for (int i = 0; i < perClass; i++)
                text.AppendLine(string.Join(",", centre.Select(c => (c + random.NextDouble() - 0.5).ToString("R", CultureInfo.InvariantCulture))) + "," + label);
        return temp.Write(name, Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static TheoryData<string, string, string[], string> BadTables => new()
    {
        { "not a number", "x,y,label\n1,2,a\n3,abc,b\n", ["--label-column", "label", "--anomaly-label", "b"], "line 3, column 'y': 'abc' is not a number" },
        { "empty cell", "x,y,label\n1,2,a\n3,,b\n", ["--label-column", "label", "--anomaly-label", "b"], "line 3, column 'y': the cell is empty" },
        { "ragged row", "x,y,label\n1,2,a\n3,4\n", ["--label-column", "label", "--anomaly-label", "b"], "line 3 has 2 fields where the header has 3" },
        { "no label column", "x,y\n1,2\n3,4\n", ["--label-column", "label", "--anomaly-label", "b"], "no column 'label' (the label column); the columns are 'x', 'y'" },
        { "one label only", "x,y,label\n1,2,a\n3,4,a\n", ["--label-column", "label", "--anomaly-label", "a"], "there are no normal rows to train on" },
        { "anomaly label absent", "x,y,label\n1,2,a\n3,4,a\n", ["--label-column", "label", "--anomaly-label", "b"], "no row has 'b' in the label column 'label'" },
        { "no header", "1,2\n3,4\n", [], "line 1 holds numbers, not column names" },
        { "empty file", "", [], "is empty" },
        { "header only", "x,y\n", [], "has a header but no rows" },
        { "every column constant", "x,y\n1,2\n1,2\n1,2\n", [], "every feature column is constant" },
        { "duplicate column", "x,x\n1,2\n3,4\n", [], "two columns are named 'x'" },
        { "infinite value", "x,y\n1,2\n1e50,4\n", [], "line 3, column 'x': '1e50' is not a finite number" },
    };

    [Theory]
    [MemberData(nameof(BadTables))]
    public void A_bad_table_is_refused_in_one_line_naming_the_file_with_exit_2_and_no_run_folder(string what, string csv, string[] options, string expected)
    {
        string path = temp.Write(what.Replace(' ', '-') + ".csv", Encoding.UTF8.GetBytes(csv));
        string run = Path.Combine(temp.Path, "run-" + what.Replace(' ', '-'));
        CliProcess.Result result = CliProcess.Run(["train", "--table", path, .. options, "--steps", "5", "--out", run]);
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith($"error: {path}: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.False(Directory.Exists(run), "no run folder for bad input");
    }

    [Fact]
    public void Leave_one_out_refuses_a_label_column_with_one_value_and_a_missing_column()
    {
        string one = temp.Write("one.csv", "x,y,label\n1,2,a\n3,4,a\n"u8.ToArray());
        CliProcess.Result result = CliProcess.Run(["loo", "--table", one, "--label-column", "label", "--out", Path.Combine(temp.Path, "one-run")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("has one value only ('a'); leave-one-out needs at least two classes", result.Error);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "one-run")));

        result = CliProcess.Run(["loo", "--table", one, "--out", Path.Combine(temp.Path, "no-label")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--table needs --label-column", result.Error);
    }

    [Fact]
    public void A_constant_column_is_left_out_and_said_and_scoring_takes_the_models_columns_by_name_in_row_order()
    {
        var random = new Random(3);
        var text = new StringBuilder("id,x,constant,y\n");
        for (int i = 0; i < 80; i++)
            text.AppendLine(CultureInfo.InvariantCulture, $"{i},{random.NextDouble()},5,{random.NextDouble()}");
        string normal = temp.Write("normal.csv", Encoding.UTF8.GetBytes(text.ToString()));
        string run = Path.Combine(temp.Path, "train");
        CliProcess.Result trained = CliProcess.Run(["train", "--table", normal, "--steps", "20", "--out", run]);
        Assert.True(trained.ExitCode == 0, trained.Error);
        Assert.Contains("'constant' has one value in every row and is left out", trained.Output);
        Assert.Equal(["id", "x", "y"], JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(run, "model", "columns.json")))!);

        // Columns in another order, an extra label column, and one row far out.
        string rows = temp.Write("rows.csv", "label,y,x,id,constant\nn,0.5,0.5,3,5\nfar,40,-40,4,5\nn,0.2,0.7,5,5\n"u8.ToArray());
        CliProcess.Result scored = CliProcess.Run(["score", "--model", run, rows]);
        Assert.True(scored.ExitCode == 0, scored.Error);
        string[] lines = scored.Output.Trim().Split('\n');
        Assert.Equal("input,score,is_anomaly", lines[0]);
        Assert.Equal([$"{rows}:1", $"{rows}:2", $"{rows}:3"], lines[1..].Select(l => l.Split(',')[0]));
        Assert.All(lines[1..], l => Assert.True(double.IsFinite(double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))));

        string missing = temp.Write("missing.csv", "x,id\n1,2\n"u8.ToArray());
        CliProcess.Result refused = CliProcess.Run(["score", "--model", run, missing]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"{missing}: no column 'y', which the model takes", refused.Error);
    }

    [Fact]
    public void One_vs_rest_trains_on_a_seeded_share_of_the_normal_rows_and_tests_the_rest_and_every_anomaly()
    {
        string data = LabelledTable();
        string run = Path.Combine(temp.Path, "ovr");
        CliProcess.Result result = CliProcess.Run(["train", "--table", data, "--label-column", "label", "--anomaly-label", "c", "--steps", "30", "--seed", "4", "--out", run]);
        Assert.True(result.ExitCode == 0, result.Error);
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        // 120 normal rows: 84 train, 36 tested with the 60 anomalies.
        Assert.Equal(84, metrics.RootElement.GetProperty("normal_training_images").GetInt64());
        Assert.Equal(96, metrics.RootElement.GetProperty("test_images").GetInt64());
        Assert.Equal(60, metrics.RootElement.GetProperty("anomalous_test_images").GetInt64());
    }

    [Fact]
    public void Leave_one_out_on_a_table_runs_every_detector_and_writes_the_report()
    {
        string data = LabelledTable();
        string run = Path.Combine(temp.Path, "loo");
        CliProcess.Result result = CliProcess.Run(["loo", "--table", data, "--label-column", "label", "--classes", "1", "--steps", "20",
            "--baseline-steps", "50", "--out", run]);
        Assert.True(result.ExitCode == 0, result.Error);
        string report = File.ReadAllText(Path.Combine(run, LooReport.ReportFileName));
        Assert.Contains("label column `label`, 3 feature columns", report);
        Assert.Contains("| 1 b | 1 |", report);
        foreach (string detector in new[] { "omasgan", "knn", "lof", "pca", "autoencoder", "deep-svdd" })
            Assert.True(File.Exists(Path.Combine(run, LooRunner.FoldFolder(1, 1), detector, "metrics.json")), detector);
        // kNN finds a cluster 7 units away from every normal row.
        using JsonDocument knn = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, LooRunner.FoldFolder(1, 1), "knn", "metrics.json")));
        Assert.True(knn.RootElement.GetProperty("columns")[0].GetProperty("metrics").GetProperty("auroc").GetDouble() > 0.99);
    }

    [Fact]
    public void The_table_split_is_seeded_per_class_and_validation_never_reads_the_test_rows()
    {
        int[] labels = [.. Enumerable.Repeat(0, 50), .. Enumerable.Repeat(1, 30), .. Enumerable.Repeat(2, 20)];
        bool[] first = TableSplit.TrainingPart(labels, 0.7, seed: 1);
        Assert.Equal(first, TableSplit.TrainingPart(labels, 0.7, seed: 1));
        Assert.NotEqual(first, TableSplit.TrainingPart(labels, 0.7, seed: 2));
        Assert.Equal([35, 21, 14], new[] { 0, 1, 2 }.Select(k => labels.Where((l, i) => l == k && first[i]).Count()));

        using var rows = new SampleSet(TorchSharp.torch.arange(100, dtype: TorchSharp.torch.ScalarType.Float32).reshape(100, 1), labels, "rows");
        using LooFoldData test = LooProtocol.TableFold(rows, 2, 0.7, 1, validation: false, "class 2");
        using LooFoldData validation = LooProtocol.TableFold(rows, 2, 0.7, 1, validation: true, "class 2");
        float[] Values(SampleSet set) => set.Samples.flatten().data<float>().ToArray();
        var testRows = Values(test.Test).Where((_, i) => !test.Anomalous[i]).ToHashSet();
        Assert.DoesNotContain(Values(validation.Normal).Concat(Values(validation.Test)), testRows.Contains);
        Assert.DoesNotContain(Values(test.Normal), testRows.Contains);
        Assert.Equal(20, test.Anomalous.Count(a => a));
        Assert.Equal(14, validation.Anomalous.Count(a => a));
    }
}
