using System.Text.Json;
using System.Text.Json.Nodes;
using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>Every way a saved model can be wrong gives <see cref="ModelLoadException"/>, never a crash or a silently wrong model.</summary>
public sealed class ModelLoadingTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "omasgan-load-" + Guid.NewGuid());

    public ModelLoadingTests()
    {
        using var detector = OmasganTrainer.Fit(DetectorTests.ToyTraining(), DetectorTests.TinyOptions(steps: 2));
        detector.Save(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Manifest => Path.Combine(dir, OmasganDetector.ManifestFileName);
    string Weights => Path.Combine(dir, OmasganDetector.WeightsFileName);

    /// <summary>
    /// Edits the manifest and, where the result still parses, re-seals its content hash: a manifest
    /// written consistently that describes something else, which the deeper checks must catch.
    /// </summary>
    void EditManifest(Action<JsonNode> edit)
    {
        JsonNode node = JsonNode.Parse(File.ReadAllText(Manifest))!;
        edit(node);
        node["content_sha256"] = "";
        File.WriteAllText(Manifest, Manifests.Seal(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }

    [Fact]
    public void A_manifest_written_before_a_property_existed_still_loads()
    {
        Tensor probe = DetectorTests.ToyTraining(20, seed: 5);
        float[] expected;
        using (var saved = OmasganDetector.Load(dir))
            expected = saved.Score(probe);
        // As an older version wrote it: without a property the current types have (with its default
        // value), sealed over the bytes it wrote.
        EditManifest(m => m["options"]!.AsObject().Remove("standardize"));
        Assert.DoesNotContain("standardize", File.ReadAllText(Manifest));
        using var loaded = OmasganDetector.Load(dir);
        Assert.Equal(expected, loaded.Score(probe));
    }

    [Fact]
    public void An_edited_manifest_is_refused()
    {
        JsonNode node = JsonNode.Parse(File.ReadAllText(Manifest))!;
        node["training_score_quantiles"]![500] = 1e6;
        File.WriteAllText(Manifest, node.ToJsonString());
        Assert.Contains("content SHA-256", LoadFails().Message);
    }

    ModelLoadException LoadFails() => Assert.Throws<ModelLoadException>(() => OmasganDetector.Load(dir));

    [Fact]
    public void A_valid_model_loads() => OmasganDetector.Load(dir).Dispose();

    [Fact]
    public void Missing_files_are_named()
    {
        File.Delete(Weights);
        Assert.Contains("weights file is missing", LoadFails().Message);
        Directory.Delete(dir, recursive: true);
        Assert.Contains("no model manifest", LoadFails().Message);
        Directory.CreateDirectory(dir);
    }

    [Fact]
    public void Truncated_weights_are_refused()
    {
        byte[] bytes = File.ReadAllBytes(Weights);
        File.WriteAllBytes(Weights, bytes[..(bytes.Length / 2)]);
        Assert.Contains("SHA-256", LoadFails().Message);
    }

    [Fact]
    public void A_manifest_that_is_not_json_is_refused()
    {
        File.WriteAllText(Manifest, "\u0000\u0001 not a manifest");
        Assert.Contains("not a valid model manifest", LoadFails().Message);
    }

    [Fact]
    public void A_newer_format_is_refused()
    {
        EditManifest(m => m["format_version"] = ModelManifest.CurrentFormatVersion + 1);
        Assert.Contains("newer than this library reads", LoadFails().Message);
    }

    [Fact]
    public void Another_input_shape_is_refused()
    {
        EditManifest(m => m["sample_shape"] = new JsonArray(3));
        Assert.Contains("does not fit samples of shape [3]", LoadFails().Message);
    }

    [Fact]
    public void Another_architecture_is_refused()
    {
        EditManifest(m => m["options"]!["architecture"]!["hidden_width"] = 32);
        Assert.Contains("do not fit the manifest's networks", LoadFails().Message);
    }

    [Theory]
    [InlineData("options")]
    [InlineData("sample_shape")]
    [InlineData("weights_sha256")]
    public void Null_or_missing_fields_are_refused(string field)
    {
        EditManifest(m => m[field] = null);
        Assert.Contains("not a valid model manifest", LoadFails().Message);
        EditManifest(m => m.AsObject().Remove(field));
        Assert.Contains("not a valid model manifest", LoadFails().Message);
    }

    [Fact]
    public void Impossible_shapes_are_refused()
    {
        EditManifest(m => m["sample_shape"] = new JsonArray(-2));
        Assert.Contains("invalid sample shape [-2]", LoadFails().Message);
    }

    [Fact]
    public void Options_out_of_range_in_a_manifest_are_refused()
    {
        EditManifest(m => m["options"]!["scorer"]!["zeta"] = 7);
        Assert.Contains("ScorerOptions.Zeta must be in [0, 1]", LoadFails().Message);
    }

    [Fact]
    public void A_model_saved_before_thresholds_were_fixed_at_fit_loads_with_the_default_contamination()
    {
        EditManifest(m => m.AsObject().Remove("contamination"));
        using var loaded = OmasganDetector.Load(dir);
        Assert.Equal(ScoreThreshold.DefaultContamination, loaded.Threshold.Contamination);
        Assert.Equal(loaded.Threshold.For(ScoreThreshold.DefaultContamination), loaded.Threshold.Value);
    }

    [Fact]
    public void A_model_manifest_of_a_newer_format_is_refused_naming_its_version()
    {
        EditManifest(m => m["format_version"] = 99);
        Assert.Contains("format version 99", LoadFails().Message);
    }
}
