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
}
