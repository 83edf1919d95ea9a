using System.CommandLine;
using System.Globalization;
using System.Text;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;

namespace Omasgan.Cli;

/// <summary><c>omasgan score</c>: anomaly scores of new images from a saved detector (OMASGAN or a baseline), as CSV.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A saved model folder, or a run folder holding model/.", Required = true };
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Image files (PNG, JPEG), folders of images, or a dataset split such as fashion-mnist:test; for a model trained on a table, CSV files (one score per row, in order).",
            Arity = ArgumentArity.OneOrMore,
        };
        var threshold = new Option<double?>("--threshold") { Description = "Scores at or above this are anomalies (default: the threshold saved with the model)." };
        var contamination = new Option<double?>("--contamination")
        {
            Description = "Flag the scores at or above those of this share of the normal training data, instead of the share the model was trained with.",
        };
        var source = new Option<string?>("--source")
        {
            Description = "Which of the detector's scores: for OMASGAN scorer (Stage 4, the detector's score; default), stage1_discriminator (−D) or stage3_discriminator (−D′).",
        };
        var output = new Option<string?>("--out") { Description = "CSV file to write (default: standard output)." };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "Folder of a dataset split's files (default: the usual places)." };
        var command = new Command("score", "Score images or table rows with a saved detector: CSV of input, score (higher = more anomalous), is_anomaly.")
        {
            model, inputs, threshold, contamination, source, output, dataDirectory,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(threshold) is not null && parse.GetValue(contamination) is not null)
                throw new ArgumentException("Give --threshold or --contamination, not both.");
            string folder = parse.GetValue(model)!;
            if (Directory.Exists(Path.Combine(folder, DetectorRun.ModelFolder))) folder = Path.Combine(folder, DetectorRun.ModelFolder);
            using IAnomalyDetector detector = DetectorCatalog.Load(folder);
            // A model fitted on ResNet-18 embeddings scores images through the same embedder.
            using Omasgan.Features.ResNet18Embedder? embedder = ImageFeatures.ReadMarker(folder) is int side ? Omasgan.Features.ResNet18Embedder.Create(side) : null;
            // A model fitted on a table takes its own columns by name.
            string[]? columns = TableColumns.Read(folder);
            ScoreColumn column = parse.GetValue(source) is string key ? detector.Column(key) : detector.Columns[0];
            double limit = parse.GetValue(threshold)
                ?? (column == detector.Columns[0]
                    ? parse.GetValue(contamination) is double share ? detector.Threshold.For(share) : detector.Threshold.Value
                    : throw new ArgumentException($"--source {column.Key} needs an explicit --threshold (the saved threshold is {detector.Columns[0].Key}'s)."));

            var csv = new StringBuilder("input,score,is_anomaly\n");
            foreach (string item in parse.GetValue(inputs)!)
            {
                var (names, samples) = detector.Input.Image is { } image ? Read(item, image.Channels, image.Height, parse.GetValue(dataDirectory))
                    : embedder is not null ? Embedded(Read(item, null, embedder.InputSize, parse.GetValue(dataDirectory)), embedder)
                    : ReadRows(item, columns);
                using (samples)
                {
                    float[] scores = Scored(() => detector.Score(samples.Samples, column), samples.Source);
                    for (int i = 0; i < scores.Length; i++)
                        csv.Append(Csv(names[i])).Append(',').Append(scores[i].ToString("R", CultureInfo.InvariantCulture))
                            .Append(',').Append(scores[i] >= limit ? "true" : "false").Append('\n');
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

    /// <summary>
    /// The images named by <paramref name="item"/>: a dataset split (NAME:train or NAME:test), a folder or
    /// one file; files are read with <paramref name="channels"/> (null: their own) at side <paramref name="size"/>.
    /// </summary>
    private static (IReadOnlyList<string> Names, SampleSet Images) Read(string item, int? channels, int size, string? dataDirectory)
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
                SampleSet set = DatasetCatalog.Load(name, which, dataDirectory);
                return (Enumerable.Range(0, (int)set.Count).Select(i => $"{name}:{split}:{i}").ToArray(), set);
            }
        }
        string[] files = Directory.Exists(item) ? ImageFolderReader.ListImages(item) : [item];
        int found = ImageFolderReader.DetectChannels(files);
        if (channels is int wanted && found != wanted)
            throw new ArgumentException($"{item}: the model takes {(wanted == 1 ? "greyscale" : "colour")} images; these are {(found == 1 ? "greyscale" : "colour")}.");
        // Read at the training images' own (square) size, so they are resized to the networks' side as those were.
        return (files, ImageFolderReader.ReadFiles(files, found, size, item));
    }

    /// <summary>The images' ResNet-18 embeddings, under the same names.</summary>
    private static (IReadOnlyList<string> Names, SampleSet Rows) Embedded((IReadOnlyList<string> Names, SampleSet Images) read, Omasgan.Features.ResNet18Embedder embedder)
    {
        using SampleSet images = read.Images;
        return (read.Names, ImageFeatures.Embed(images, null, embedder, null, IFitObserver.Silent));
    }

    /// <summary>
    /// The rows of CSV file <paramref name="item"/>, named FILE:N (N counting data rows from 1): the
    /// <paramref name="columns"/> by name when the model was trained on a table, otherwise every column.
    /// </summary>
    private static (IReadOnlyList<string> Names, SampleSet Rows) ReadRows(string item, string[]? columns)
    {
        if (Directory.Exists(item) || item.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || item.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{item}: this model was trained on rows of features; give CSV files.");
        CsvTable table = TableReader.Read(item, features: columns);
        return (Enumerable.Range(1, table.RowCount).Select(i => $"{item}:{i}").ToArray(), new SampleSet(table.Rows(), new int[table.RowCount], item));
    }

    /// <summary>The scores, with an image set that does not fit the model named in the message.</summary>
    private static float[] Scored(Func<float[]> score, string source)
    {
        try
        {
            return score();
        }
        catch (ArgumentException e) when (e.Message.StartsWith("the samples", StringComparison.Ordinal))
        {
            throw new ArgumentException(source + e.Message["the samples".Length..], e);
        }
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
