using System.Text.Json;
using Omasgan.Data;
using Omasgan.Experiments;
using Omasgan.Experiments.Loo;
using Omasgan.Tests.Data;
using SkiaSharp;

namespace Omasgan.Tests;

/// <summary>The real <c>omasgan train</c>, <c>loo</c> and <c>score</c> commands on real and written data.</summary>
public sealed class ImageCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private string Folder(string name) => Path.Combine(temp.Path, name);

    private static void AssertOneLineError(CliProcess.Result result, string mentions)
    {
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mentions, lines[0]);
    }

    private static int[] Labels(int count, int classes) => Enumerable.Range(0, count).Select(i => i % classes).ToArray();

    public static TheoryData<string, string> BadDatasets() => new()
    {
        { "truncated", "train-images-idx3-ubyte" },
        { "wrong magic", "train-labels-idx1-ubyte" },
        { "counts disagree", "t10k-labels-idx1-ubyte" },
        { "missing", "train-images-idx3-ubyte" },
    };

    [Theory]
    [MemberData(nameof(BadDatasets))]
    public void A_bad_dataset_file_gives_one_line_naming_it_exit_2_and_no_run_folder(string problem, string file)
    {
        string data = temp.WriteIdxDataset("data", Labels(40, 10), Labels(20, 10), (name, bytes) => (problem, name) switch
        {
            ("truncated", "train-images-idx3-ubyte") => bytes[..^100],
            ("wrong magic", "train-labels-idx1-ubyte") => [0, 0, 9, 9, .. bytes[4..]],
            ("counts disagree", "t10k-labels-idx1-ubyte") => DataFiles.Idx([19], bytes[8..^1]),
            _ => bytes,
        });
        if (problem == "missing") File.Delete(Path.Combine(data, file));
        string run = Folder("run");
        var result = CliProcess.Run(["train", "--dataset", "mnist", "--data-dir", data, "--abnormal-class", "1", "--steps", "2", "--out", run]);
        AssertOneLineError(result, file);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Stage_steps_set_each_stage_s_steps_and_malformed_ones_are_refused()
    {
        string data = temp.WriteIdxDataset("data", Labels(40, 10), Labels(20, 10));
        string[] Train(string run, params string[] more) =>
            ["train", "--dataset", "mnist", "--data-dir", data, "--abnormal-class", "1", "--threads", "1", "--out", Folder(run), .. more];
        var result = CliProcess.Run(Train("run", "--stage-steps", "3,1,2,4"));
        Assert.True(result.ExitCode == 0, result.Error);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder("run"), "model", "manifest.json")));
        JsonElement options = manifest.RootElement.GetProperty("options");
        Assert.Equal([3, 1, 2, 4], new[] { "f_gan", "boundary", "retraining", "scorer" }.Select(s => options.GetProperty(s).GetProperty("steps").GetInt32()));

        AssertOneLineError(CliProcess.Run(Train("three", "--stage-steps", "3,1,2")), "four positive whole numbers");
        AssertOneLineError(CliProcess.Run(Train("zero", "--stage-steps", "3,0,2,1")), "four positive whole numbers");
        AssertOneLineError(CliProcess.Run(Train("both", "--stage-steps", "3,1,2,1", "--steps", "2")), "give one");
        Assert.False(Directory.Exists(Folder("three")) || Directory.Exists(Folder("zero")) || Directory.Exists(Folder("both")));
    }

    [Fact]
    public void A_device_this_build_cannot_use_is_refused_before_anything_is_read()
    {
        string missing = Folder("no-such-images");
        AssertOneLineError(CliProcess.Run(["train", "--images", missing, "--device", "cuda", "--out", Folder("a")]), "CUDA is not available");
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--device", "tpu", "--out", Folder("b")]), "use cpu, cuda or cuda:N");
        Assert.False(Directory.Exists(Folder("a")));
        Assert.False(Directory.Exists(Folder("b")));
    }

    [Fact]
    public void A_preset_of_another_model_family_or_a_dcgan_option_on_klwgan_is_refused()
    {
        string missing = Path.Combine(temp.Path, "no-such-folder");
        AssertOneLineError(CliProcess.Run(["train", "--images", missing, "--model", "klwgan", "--preset", "cpu", "--out", Folder("a")]),
            "--preset cpu is a dcgan preset; with --model klwgan use one of cpu-klwgan, paper-klwgan");
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--model", "klwgan", "--normalization", "none", "--out", Folder("b")]),
            "--normalization changes the DCGAN networks");
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--model", "stylegan", "--out", Folder("c")]), "use one of dcgan, klwgan");
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--scattering", "wavy", "--out", Folder("c")]), "--scattering: 'wavy' is not one of plain, shape");
        string table = Path.Combine(temp.Path, "rows.csv");
        File.WriteAllText(table, "x,y\n1,2\n3,5\n2,7\n");
        AssertOneLineError(CliProcess.Run(["train", "--table", table, "--scattering", "shape", "--out", Folder("c")]), "--scattering is for image models");
        Assert.False(Directory.Exists(Folder("c")));
        AssertOneLineError(CliProcess.Run(["train", "--images", missing, "--checkpoint-every", "0", "--out", Folder("d")]), "CheckpointInterval must be in [1, 10000000]");
        Assert.False(Directory.Exists(Folder("d")));
    }

    [Fact]
    public void An_abnormal_class_absent_from_the_data_or_leaving_no_normal_images_is_refused()
    {
        string data = temp.WriteIdxDataset("data", Labels(40, 10), Labels(20, 10));
        AssertOneLineError(CliProcess.Run(["train", "--dataset", "mnist", "--data-dir", data, "--abnormal-class", "10", "--out", Folder("a")]), "--abnormal-class 10");

        string onlyThrees = temp.WriteIdxDataset("threes", Enumerable.Repeat(3, 20).ToArray(), Labels(20, 10));
        AssertOneLineError(CliProcess.Run(["train", "--dataset", "mnist", "--data-dir", onlyThrees, "--abnormal-class", "3", "--out", Folder("b")]), "no normal training images");
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--data-dir", onlyThrees, "--classes", "3", "--out", Folder("c")]), "no normal training images");
        Assert.False(File.Exists(Path.Combine(Folder("a"), DetectorRun.MetricsFileName)));
        Assert.False(File.Exists(Path.Combine(Folder("b"), DetectorRun.MetricsFileName)));
        Assert.False(File.Exists(Path.Combine(Folder("c"), LooReport.SummaryFileName)));
    }

    private static LooSummary Summary(string run) =>
        JsonSerializer.Deserialize<LooSummary>(File.ReadAllText(Path.Combine(run, LooReport.SummaryFileName)), Detection.OmasganDetector.JsonOptions)!;

    /// <summary>Grey 28×28 PNGs: normal ones have a bright bar at the top, anomalous ones at the bottom.</summary>
    private void WriteImages(string folder, int count, bool anomalous, bool grey = true)
    {
        for (int i = 0; i < count; i++)
            temp.Write(Path.Combine(folder, $"{i:D3}.png"), DataFiles.Image(SKEncodedImageFormat.Png, 28, 28, grey,
                (x, y, c) => (byte)((anomalous ? y > 20 : y < 8) ? 200 + i % 50 : (x * 3 + i) % 40)));
    }

    /// <summary>
    /// <c>omasgan train</c> with <paramref name="options"/> on 40 written normal images, tested on 8 normal
    /// and 8 anomalous ones; checks that it ran with <paramref name="preset"/> and returns the run folder.
    /// </summary>
    private string TrainOnWrittenImages(string preset, params string[] options)
    {
        WriteImages("train", 40, anomalous: false);
        WriteImages(Path.Combine("test", "normal"), 8, anomalous: false);
        WriteImages(Path.Combine("test", "anomalous"), 8, anomalous: true);
        string run = Folder("run");
        var train = CliProcess.Run(["train", "--images", Folder("train"), "--test-images", Folder("test"), .. options, "--out", run]);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Equal(preset, ConfigFile.Read<TrainConfig>(Path.Combine(run, "config.json"), "a run configuration").Preset);
        return run;
    }

    /// <summary><c>omasgan score</c> with the model of <paramref name="run"/> gives a row for each of the 8 written test anomalies.</summary>
    private void AssertScoresTheTestAnomalies(string run)
    {
        var score = CliProcess.Run(["score", "--model", run, Path.Combine(Folder("test"), "anomalous")]);
        Assert.True(score.ExitCode == 0, score.Error);
        string[] rows = score.Output.Trim().Split('\n');
        Assert.Equal(1 + 8, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.Matches(@",-?[0-9.E+-]+,(true|false)$", r));
    }

    [Fact]
    public void Train_on_resnet18_embeddings_of_a_folder_then_score_images_through_the_same_embedder()
    {
        string run = TrainOnWrittenImages("vector", "--features", "resnet18", "--steps", "20");
        using (JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model", "manifest.json"))))
            Assert.Equal([512], manifest.RootElement.GetProperty("sample_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Omasgan.Features.ResNet18Embedder.DefaultInputSize, ImageFeatures.ReadMarker(Path.Combine(run, "model")));

        AssertScoresTheTestAnomalies(run);
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--features", "resnet18", "--width", "0.5", "--out", Folder("refused")]),
            "--width is for image models");
    }

    [Fact]
    public void The_pca_model_trains_on_principal_components_scores_images_and_refuses_convolution_options()
    {
        string run = TrainOnWrittenImages(ImagePresets.CpuPca, "--model", "pca", "--feature-scale", "shared", "--steps", "4", "--threads", "1");
        using (JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model", "manifest.json"))))
        {
            Assert.Equal([ImagePresets.PcaComponents], manifest.RootElement.GetProperty("sample_shape").EnumerateArray().Select(e => e.GetInt32()));
            JsonElement projection = manifest.RootElement.GetProperty("projection");
            Assert.Equal([1, 32, 32], projection.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(ImagePresets.PcaComponents * 1024, projection.GetProperty("components").GetArrayLength());
            Assert.True(manifest.RootElement.GetProperty("options").GetProperty("shared_scale").GetBoolean());
            // One scale for every component.
            Assert.Single(manifest.RootElement.GetProperty("scaling").GetProperty("std").EnumerateArray().Select(e => e.GetSingle()).Distinct());
        }
        Assert.True(File.Exists(Path.Combine(run, "boundary_samples.png")));

        AssertScoresTheTestAnomalies(run);

        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--preset", "cpu-pca", "--normalization", "none", "--out", Folder("refused")]),
            "--normalization changes the image networks");
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--model", "pca", "--feature-scale", "sideways", "--out", Folder("refused")]),
            "--feature-scale: 'sideways' is not one of each, shared");
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--boundary-discriminator", "asleep", "--out", Folder("refused")]),
            "--boundary-discriminator: 'asleep' is not one of trained, frozen");
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--feature-scale", "shared", "--out", Folder("refused")]),
            "do not standardise");
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("train"), "--model", "pca", "--preset", "cpu", "--out", Folder("refused")]),
            "--preset cpu is a dcgan preset");
        Assert.False(Directory.Exists(Folder("refused")));
    }

    [Fact]
    public void Train_on_an_image_folder_then_score_files_folders_and_refuse_other_channels()
    {
        WriteImages("train", 48, anomalous: false);
        WriteImages(Path.Combine("test", "normal"), 8, anomalous: false);
        WriteImages(Path.Combine("test", "anomalous"), 8, anomalous: true);
        string run = Folder("run");
        var train = CliProcess.Run(["train", "--images", Folder("train"), "--test-images", Folder("test"), "--steps", "4", "--out", run, "--threads", "1",
            "--learning-rate", "5e-4", "--scorer-divergence", "kl", "--scattering", "shape", "--boundary-brightness", "data", "--boundary-discriminator", "frozen"]);
        Assert.True(train.ExitCode == 0, train.Error);
        var detector = ConfigFile.Read<TrainConfig>(Path.Combine(run, "config.json"), "a run configuration").Detector;
        Assert.Equal(-1, detector.Boundary.ScatteringShapeReference);
        Assert.Equal(-1, detector.Boundary.MatchedBrightnessReference);
        Assert.True(detector.Boundary.FrozenDiscriminator);
        Assert.Equal(Divergences.Divergence.KullbackLeibler, detector.Scorer.Divergence);
        Assert.Equal(Divergences.Divergence.Pearson, detector.Divergence);
        Assert.All(new[] { detector.FGan.LearningRate, detector.Boundary.LearningRate, detector.Retraining.LearningRate, detector.Scorer.LearningRate },
            rate => Assert.Equal(5e-4, rate));
        foreach (string file in new[] { "config.json", "metrics.json", "losses.csv", "scores.csv", "roc.png", "score_histogram.png", "model/manifest.json",
            "boundary_samples_batch_statistics.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        var modes = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(run, "generator_modes.json")))!;
        Assert.Equal(["boundary_batch_statistics", "boundary_eval", "data_median_nearest_neighbour", "stage1_batch_statistics", "stage1_eval"],
            modes.Keys.Order());
        Assert.All(modes.Values, d => Assert.True(d > 0 && double.IsFinite(d)));
        using (JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
            Assert.Equal(8, metrics.RootElement.GetProperty("anomalous_test_images").GetInt32());

        string csv = Folder("scores.csv");
        string one = Path.Combine(Folder("test"), "anomalous", "000.png");
        var score = CliProcess.Run(["score", "--model", run, one, Path.Combine(Folder("test"), "normal"), "--out", csv]);
        Assert.True(score.ExitCode == 0, score.Error);
        string[] rows = File.ReadAllLines(csv);
        Assert.Equal("input,score,is_anomaly", rows[0]);
        Assert.Equal(1 + 1 + 8, rows.Length);
        Assert.StartsWith(one + ",", rows[1]);
        Assert.All(rows.Skip(1), r => Assert.Matches(@",-?[0-9.E+-]+,(true|false)$", r));

        WriteImages("colour", 3, anomalous: false, grey: false);
        AssertOneLineError(CliProcess.Run(["score", "--model", run, Folder("colour")]), "greyscale");

        WriteImages("broken", 3, anomalous: false);
        temp.Write(Path.Combine("broken", "001.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        AssertOneLineError(CliProcess.Run(["train", "--images", Folder("broken"), "--steps", "2", "--out", Folder("run2")]), "001.png");
        Assert.False(Directory.Exists(Folder("run2")));
    }

    /// <summary>
    /// One real Fashion-MNIST fold (Bag left out) through the whole pipeline with the <c>cpu-pca</c>
    /// preset at its full budget, the best scorer found (docs/image-leads.md, lead 9). Its scorer ranked
    /// this fold at 0.84–0.94 in all six runs of the documented validation and test-split runs (seeds
    /// 1–3 each), so an AUROC of at least 0.6 is asserted: above chance with room for what libtorch's
    /// kernels change from machine to machine. The image networks at a budget CI can afford land on
    /// either side of chance with the seed and the machine, so this fold does not use them. Also
    /// asserted: every promised file, the fold's counts, finite scores that tell images apart, and kNN,
    /// which trains nothing, ranking the left-out class as the same data and labels let it (AUROC 0.977
    /// on this fold in the documented test-split run).
    /// </summary>
    [Fact]
    public void Real_fashion_mnist_fold_runs_end_to_end_and_its_scorer_beats_chance()
    {
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"),
            "Fashion-MNIST is missing: apt-get install dataset-fashion-mnist (.ci/run does).");
        string run = Folder("loo");
        string[] command = ["loo", "--dataset", "fashion-mnist", "--classes", "8", "--detectors", "omasgan,knn", "--preset", "cpu-pca",
            "--checkpoint-every", "1000", "--tensorboard", "--out", run];
        var first = CliProcess.Run(command);
        Assert.True(first.ExitCode == 0, first.Error);

        foreach (string file in new[] { LooReport.SummaryFileName, LooReport.TableFileName, LooReport.ReportFileName })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        string fold = Path.Combine(run, LooRunner.FoldFolder(8, 1), "omasgan");
        string[] promised = ["metrics.json", "roc.png", "score_histogram.png", "losses.csv", "scores.csv", "stage_seconds.json",
            "model/manifest.json", "model/weights.bin", .. Detection.OmasganTrainer.Grids.Select(g => g.File)];
        foreach (string file in promised)
            Assert.True(File.Exists(Path.Combine(fold, file)), file);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(fold, "tensorboard"), "events.out.tfevents.*"));

        LooFold result = Summary(run).Folds.Single();
        Assert.Equal(1000, result.AnomalousTestImages);
        Assert.Equal(54000, result.NormalTrainingImages);
        string[][] rows = File.ReadAllLines(Path.Combine(fold, "scores.csv")).Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal(10000, rows.Length);
        for (int column = rows[0].Length - 3; column < rows[0].Length; column++)
        {
            double[] scores = rows.Select(r => double.Parse(r[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.All(scores, v => Assert.True(double.IsFinite(v)));
            Assert.True(scores.Distinct().Count() > 1000, $"column {column}: {scores.Distinct().Count()} distinct scores");
        }
        double scorer = result.Detectors[Detection.ScoreColumn.Scorer.Key].Auroc;
        Assert.True(scorer >= 0.6, $"OMASGAN scorer AUROC {scorer:F4}");
        double knn = result.Detectors[Baselines.BaselineDetectors.Knn].Auroc;
        Assert.True(knn >= 0.9, $"kNN AUROC {knn:F4}");
        Assert.Contains("| **mean ± std** |", File.ReadAllText(Path.Combine(run, LooReport.ReportFileName)));

        // A rerun skips the complete fold.
        var again = CliProcess.Run(command);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("already complete", again.Output);

        string csv = Folder("test-scores.csv");
        var score = CliProcess.Run(["score", "--model", fold, "fashion-mnist:test", "--out", csv]);
        Assert.True(score.ExitCode == 0, score.Error);
        Assert.Equal(10001, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void A_complete_fold_whose_metrics_do_not_read_is_refused_and_kept()
    {
        string data = temp.WriteIdxDataset("data", Labels(60, 10), Labels(30, 10));
        string run = Folder("loo");
        string[] command = ["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "2", "--steps", "3", "--detectors", "omasgan", "--out", run, "--threads", "1"];
        var first = CliProcess.Run(command);
        Assert.True(first.ExitCode == 0, first.Error);
        string fold = Path.Combine(run, LooRunner.FoldFolder(2, 1));
        string metrics = Path.Combine(fold, "omasgan", DetectorRun.MetricsFileName);
        File.WriteAllText(metrics, "{ \"class\": \"a schema this version does not know\" }");
        string[] before = Directory.GetFiles(fold, "*", SearchOption.AllDirectories);

        var again = CliProcess.Run(command);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("metrics.json", again.Error);
        Assert.Contains("nothing was deleted", again.Error);
        Assert.Equal(before, Directory.GetFiles(fold, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Leave_one_out_with_every_detector_reports_each_and_adds_baselines_to_complete_folds()
    {
        string data = temp.WriteIdxDataset("data", Labels(120, 10), Labels(60, 10));
        string run = Folder("loo");
        string[] common = ["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "2,5", "--steps", "3", "--baseline-steps", "5", "--out", run, "--threads", "1"];
        var omasganOnly = CliProcess.Run([.. common, "--detectors", "omasgan"]);
        Assert.True(omasganOnly.ExitCode == 0, omasganOnly.Error);
        var all = CliProcess.Run(common);
        Assert.True(all.ExitCode == 0, all.Error);
        Assert.Contains("omasgan already complete", all.Output);

        LooSummary summary = Summary(run);
        string[] expected = ["scorer", "stage1_discriminator", "stage3_discriminator", .. Baselines.BaselineDetectors.Names];
        Assert.Equal(expected, summary.Auroc.Keys.ToArray());
        Assert.All(summary.Folds, f => Assert.Equal(expected.Length, f.Detectors.Count));
        string report = File.ReadAllText(Path.Combine(run, LooReport.ReportFileName));
        Assert.Contains("| class | seed | OMASGAN scorer S | Stage 1 −D | Stage 3 −D′ | kNN | LOF | PCA (ML.NET) | conv. autoencoder | Deep SVDD |", report);
        Assert.Contains("Ranking by mean AUROC", report);
        Assert.True(File.Exists(Path.Combine(run, LooReport.AurocPlotFileName)));
        foreach (string name in Detection.DetectorCatalog.Names)
        {
            string folder = Path.Combine(run, LooRunner.FoldFolder(2, 1), name);
            Assert.True(File.Exists(Path.Combine(folder, "scores.csv")), name);
            using var loaded = Detection.DetectorCatalog.Load(Path.Combine(folder, DetectorRun.ModelFolder));
            Assert.Equal(name, loaded.Name);
        }
        AssertOneLineError(CliProcess.Run([.. common, "--detectors", "forest"]), "--detectors");
    }

    [Fact]
    public void Validation_tests_on_a_held_out_part_of_the_training_split_and_never_reads_the_test_split()
    {
        // 12 training images per class and no test split at all.
        string data = temp.WriteIdxDataset("data", Labels(120, 10), testLabels: null);
        AssertOneLineError(CliProcess.Run(["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "2", "--steps", "2", "--out", Folder("test")]),
            "t10k-images-idx3-ubyte");

        string run = Folder("validation");
        var result = CliProcess.Run(["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "2", "--validation", "--steps", "3",
            "--baseline-steps", "5", "--detectors", "omasgan,knn", "--out", run, "--threads", "1"]);
        Assert.True(result.ExitCode == 0, result.Error);
        // A sixth of each class is held out: 2 of 12. Training keeps 10 per class of the 9 other classes.
        LooFold fold = Summary(run).Folds.Single();
        Assert.Equal(20, fold.TestImages);
        Assert.Equal(2, fold.AnomalousTestImages);
        Assert.Equal(90, fold.NormalTrainingImages);
        string[] scores = File.ReadAllLines(Path.Combine(run, LooRunner.FoldFolder(2, 1), "knn", DetectorRun.ScoresFileName));
        Assert.Equal(21, scores.Length);
        // Two of each class were tested.
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(c => new[] { c, c }), scores.Skip(1).Select(line => int.Parse(line.Split(',')[1])).Order());
        string report = File.ReadAllText(Path.Combine(run, LooReport.ReportFileName));
        Assert.Contains("# Leave-one-out validation: mnist", report);
        Assert.Contains("the test split is not read", report);
    }

    [Fact]
    public void Every_detector_gives_the_same_scores_whatever_the_test_labels_say()
    {
        // The same training data and test images; the second dataset's test labels are shuffled (reversed).
        int[] drawn = Labels(60, 10);
        int[] shuffled = drawn.Reverse().ToArray();
        Assert.NotEqual(drawn, shuffled);
        string[] runs = [Folder("true-labels"), Folder("shuffled-labels")];
        for (int r = 0; r < 2; r++)
        {
            string data = temp.WriteIdxDataset($"data{r}", Labels(120, 10), r == 0 ? drawn : shuffled, testDrawn: drawn);
            var result = CliProcess.Run(["loo", "--dataset", "mnist", "--data-dir", data, "--classes", "3", "--steps", "3",
                "--baseline-steps", "5", "--out", runs[r], "--threads", "1"]);
            Assert.True(result.ExitCode == 0, result.Error);
        }
        string fold = LooRunner.FoldFolder(3, 1);
        string[] files = Detection.DetectorCatalog.Names.Select(n => Path.Combine(n, DetectorRun.ScoresFileName)).ToArray();
        foreach (string file in files)
        {
            string[][] a = File.ReadAllLines(Path.Combine(runs[0], fold, file)).Select(l => l.Split(',')).ToArray();
            string[][] b = File.ReadAllLines(Path.Combine(runs[1], fold, file)).Select(l => l.Split(',')).ToArray();
            Assert.Equal(61, a.Length);
            // Columns: index, label, anomalous, then the scores, which must agree to the last bit.
            Assert.Equal(a.Select(row => row[3..]), b.Select(row => row[3..]));
            Assert.NotEqual(a.Select(row => row[2]), b.Select(row => row[2]));
        }
    }
}
