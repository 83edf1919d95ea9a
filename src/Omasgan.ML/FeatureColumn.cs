using Microsoft.ML;
using Microsoft.ML.Data;

namespace Omasgan.ML;

/// <summary>Finds the feature column and refuses one that is not a known-size vector of Single.</summary>
internal static class FeatureColumn
{
    private const string Needed =
        "OMASGAN needs a known-size vector of Single (float[] with [VectorType(n)], or "
        + "mlContext.Transforms.Concatenate of Single columns)";

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/> and its size.</summary>
    /// <exception cref="ArgumentException">the column is missing or of another type; the message says what it is and what is needed.</exception>
    public static (DataViewSchema.Column Column, int Size) Find(DataViewSchema schema, string name, string parameter)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw Missing(name, schema.Select(c => c.Name), parameter);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector
            || item != NumberDataViewType.Single || !vector.IsKnownSize)
            throw new ArgumentException($"The feature column '{name}' is {column.Type}; {Needed}.", parameter);
        return (column, vector.Size);
    }

    /// <summary>The same check on an estimator's schema shape (no sizes there: only "known size" or not).</summary>
    public static void Check(SchemaShape shape, string name, string parameter)
    {
        if (!shape.TryFindColumn(name, out SchemaShape.Column column))
            throw Missing(name, shape.Select(c => c.Name), parameter);
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.IsKey)
        {
            string kind = column.Kind switch
            {
                SchemaShape.Column.VectorKind.Scalar => "a scalar",
                SchemaShape.Column.VectorKind.VariableVector => "a vector of unknown size",
                _ => "a known-size vector",
            };
            throw new ArgumentException($"The feature column '{name}' is {kind} of {column.ItemType}{(column.IsKey ? " keys" : "")}; {Needed}.", parameter);
        }
    }

    /// <summary>Whether the shape has column <paramref name="name"/> (SchemaShape's own finder is internal).</summary>
    private static bool TryFindColumn(this SchemaShape shape, string name, out SchemaShape.Column column)
    {
        // The last column of a name wins, as in a DataViewSchema.
        foreach (SchemaShape.Column c in shape.Reverse())
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        column = default;
        return false;
    }

    private static ArgumentException Missing(string name, IEnumerable<string> columns, string parameter) =>
        new($"The input has no column '{name}' (it has: {string.Join(", ", columns.Distinct())}); "
            + "name the feature column with featureColumnName.", parameter);
}
