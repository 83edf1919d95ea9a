using System.CommandLine;
using System.Globalization;
using System.Text;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;

namespace Omasgan.Cli;

/// <summary><c>omasgan score</c>: anomaly scores of new images from a saved detector, as CSV.</summary>
internal static class ScoreCommand
{
    public const double DefaultContamination = 0.05;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A saved model folder, or a run folder holding model/.", Required = true };
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Image files (PNG, JPEG), folders of images, or a dataset split such as fashion-mnist:test.",
            Arity = ArgumentArity.OneOrMore,
        };
        var threshold = new Option<double?>("--threshold") { Description = "Scores above this are anomalies (default: see --contamination)." };
        var contamination = new Option<double?>("--contamination")
        {
            Description = $"Flag the scores above those of this share of the normal training data (default {DefaultContamination}).",
        };
        var source = new Option<string>("--source")
        {
            Description = "The network that scores: scorer (Stage 4, the detector's score), stage1_discriminator (−D) or stage3_discriminator (−D′).",
            DefaultValueFactory = _ => "scorer",
        };
        var output = new Option<string?>("--out") { Description = "CSV file to write (default: standard output)." };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "Folder of a dataset split's files (default: the usual places)." };
        var command = new Command("score", "Score images with a saved detector: CSV of input, score (higher = more anomalous), is_anomaly.")
        {
            model, inputs, threshold, contamination, source, output, dataDirectory,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(threshold) is not null && parse.GetValue(contamination) is not null)
                throw new ArgumentException("Give --threshold or --contamination, not both.");
            ScoreSource scoreSource = Enum.GetValues<ScoreSource>().FirstOrDefault(s => ImageRun.SourceName(s) == parse.GetValue(source), (ScoreSource)(-1));
            if (!Enum.IsDefined(scoreSource))
                throw new ArgumentException($"--source {parse.GetValue(source)}: use scorer, stage1_discriminator or stage3_discriminator.");
            string folder = parse.GetValue(model)!;
            if (Directory.Exists(Path.Combine(folder, ImageRun.ModelFolder))) folder = Path.Combine(folder, ImageRun.ModelFolder);
            using OmasganDetector detector = OmasganDetector.Load(folder);
            ImageInput input = detector.Input ?? throw new ArgumentException($"{folder}: this model was not trained on images.");
            double limit = parse.GetValue(threshold)
                ?? (scoreSource == ScoreSource.Scorer
                    ? detector.ThresholdForContamination(parse.GetValue(contamination) ?? DefaultContamination)
                    : throw new ArgumentException("--source other than scorer needs an explicit --threshold."));

            var csv = new StringBuilder("input,score,is_anomaly\n");
            foreach (string item in parse.GetValue(inputs)!)
            {
                var (names, images, anySize) = Read(item, input, parse.GetValue(dataDirectory));
                using (images)
                {
                    float[] scores = detector.ScoreImages(images.Images, images.Source, scoreSource, anySize);
                    for (int i = 0; i < scores.Length; i++)
                        csv.Append(Csv(names[i])).Append(',').Append(scores[i].ToString("R", CultureInfo.InvariantCulture))
                            .Append(',').Append(scores[i] > limit ? "true" : "false").Append('\n');
                }
            }
            if (parse.GetValue(output) is string path)
                AtomicFile.WriteAllText(path, csv.ToString());
            else
                Console.Out.Write(csv);
            return 0;
        }));
        return command;
    }

    /// <summary>The images named by <paramref name="item"/>: a dataset split (NAME:train or NAME:test), a folder or one file.</summary>
    private static (IReadOnlyList<string> Names, ImageSet Images, bool AnySize) Read(string item, ImageInput input, string? dataDirectory)
    {
        int colon = item.LastIndexOf(':');
        if (colon > 0 && !File.Exists(item) && !Directory.Exists(item))
        {
            string name = item[..colon], split = item[(colon + 1)..].ToLowerInvariant();
            if (DatasetCatalog.Names.Contains(name, StringComparer.OrdinalIgnoreCase) || split is "train" or "test")
            {
                DataSplit which = split switch
                {
                    "train" => DataSplit.Train,
                    "test" => DataSplit.Test,
                    _ => throw new ArgumentException($"{item}: a dataset split is NAME:train or NAME:test."),
                };
                ImageSet set = DatasetCatalog.Load(name, which, dataDirectory);
                return (Enumerable.Range(0, (int)set.Count).Select(i => $"{name}:{split}:{i}").ToArray(), set, false);
            }
        }
        string[] files = Directory.Exists(item) ? ImageFolderReader.ListImages(item) : [item];
        int channels = ImageFolderReader.DetectChannels(files);
        if (channels != input.Channels)
            throw new ArgumentException($"{item}: the model takes {(input.Channels == 1 ? "greyscale" : "colour")} images; these are {(channels == 1 ? "greyscale" : "colour")}.");
        return (files, ImageFolderReader.ReadFiles(files, channels, input.ModelSize, item), true);
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
