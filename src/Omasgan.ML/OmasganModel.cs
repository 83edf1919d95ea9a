using Microsoft.ML;
using Microsoft.ML.Data;
using Omasgan.Detection;

namespace Omasgan.ML;

/// <summary>
/// Saving a whole fitted pipeline that ends in OMASGAN: <c>mlContext.Model.SaveOmasgan(model, schema, directory)</c>
/// and <c>mlContext.Model.LoadOmasgan(directory, out schema)</c>. The steps before OMASGAN go into
/// <see cref="PipelineFileName"/> with ML.NET's own <c>Model.Save</c>, the OMASGAN transformer into
/// <see cref="TransformerFolder"/> with <see cref="OmasganTransformer.Save"/> (ML.NET cannot save it).
/// </summary>
public static class OmasganModel
{
    /// <summary>ML.NET's model file of the steps before OMASGAN (an empty chain when there are none).</summary>
    public const string PipelineFileName = "pipeline.zip";
    /// <summary>The OMASGAN transformer's folder.</summary>
    public const string TransformerFolder = "omasgan";

    /// <summary>Writes <paramref name="model"/> (fitted on data of <paramref name="inputSchema"/>) into <paramref name="directory"/>.</summary>
    public static void SaveOmasgan(this ModelOperationsCatalog catalog, TransformerChain<OmasganTransformer> model,
        DataViewSchema inputSchema, string directory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ITransformer[] steps = model.ToArray();
        Directory.CreateDirectory(directory);
        var before = new TransformerChain<ITransformer>(steps[..^1]);
        AtomicFile.Write(Path.Combine(directory, PipelineFileName), stream => catalog.Save(before, inputSchema, stream));
        model.LastTransformer.Save(Path.Combine(directory, TransformerFolder));
    }

    /// <summary>Reads a pipeline written by <see cref="SaveOmasgan"/>; <paramref name="inputSchema"/>: the schema it was fitted on.</summary>
    /// <exception cref="ModelLoadException">the folder holds no such pipeline, or one that cannot be read.</exception>
    public static TransformerChain<OmasganTransformer> LoadOmasgan(this ModelOperationsCatalog catalog, string directory,
        out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string path = Path.Combine(directory, PipelineFileName);
        ITransformer before;
        try
        {
            using FileStream stream = File.OpenRead(path);
            before = catalog.Load(stream, out inputSchema);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            throw new ModelLoadException($"{path}: no saved ML.NET pipeline could be read ({e.Message}).", e);
        }
        OmasganTransformer omasgan = OmasganTransformer.Load(Path.Combine(directory, TransformerFolder));
        return new TransformerChain<OmasganTransformer>(before, omasgan);
    }
}
