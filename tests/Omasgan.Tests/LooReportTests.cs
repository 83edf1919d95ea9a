using Omasgan.Experiments;
using Omasgan.Experiments.Loo;

namespace Omasgan.Tests;

public class LooReportTests
{
    static LooOptions Run(string preset, Func<Detection.OmasganOptions, Detection.OmasganOptions> change) => new()
    {
        Dataset = "fashion-mnist", Preset = preset, Detector = change(ImagePresets.Get(preset) with { Seed = 3 }),
    };

    [Fact]
    public void The_report_says_which_settings_ran_rather_than_assuming_a_preset()
    {
        Assert.Equal("OMASGAN's settings: the `cpu` preset, unchanged (seeds aside).", LooReport.SettingsSentence(Run("cpu", o => o)));

        string changed = LooReport.SettingsSentence(Run("cpu", o => o.WithLearningRate(1e-3) with { Scorer = o.Scorer with { Zeta = 0.7 } }));
        Assert.StartsWith("OMASGAN's settings: the `cpu` preset with ", changed);
        Assert.Contains("`f_gan.learning_rate` 0.001 (preset: 0.0002)", changed);
        Assert.Contains("`scorer.zeta` 0.7 (preset: 0.5)", changed);
        Assert.Contains("the `paper` preset, unchanged", LooReport.SettingsSentence(Run("paper", o => o)));
    }

    [Fact]
    public void The_summary_gives_the_versions_the_folds_ran_with_and_says_which_folds_recorded_none()
    {
        DetectorFold Fold(string detector, Dictionary<string, string>? versions) => new()
        {
            Detector = detector, Class = 0, ClassName = "zero", Seed = 1, NormalTrainingImages = 10, TestImages = 4, AnomalousTestImages = 2,
            Columns = [], FitSeconds = 1, ScoreSeconds = 1, Versions = versions,
        };
        var merged = LooReport.FoldVersions([
            Fold("knn", new() { ["threads"] = "1", ["libtorch"] = "2.10.0.0" }),
            Fold("omasgan", new() { ["threads"] = "2", ["libtorch"] = "2.10.0.0" }),
            Fold("pca", null)]);
        Assert.Equal("1 / 2", merged["threads"]);
        Assert.Equal("2.10.0.0", merged["libtorch"]);
        Assert.Equal("not recorded with 1 of 3 detector folds", merged["versions"]);
        Assert.Equal(new Dictionary<string, string> { ["versions"] = "not recorded with the folds" }, LooReport.FoldVersions([Fold("pca", null)]));
    }
}
