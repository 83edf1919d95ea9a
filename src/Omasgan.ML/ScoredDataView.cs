using Microsoft.ML;
using Microsoft.ML.Data;

namespace Omasgan.ML;

/// <summary>
/// The transformer's output: the input's columns, then Score and PredictedLabel. Reading it scores the
/// rows in batches of <see cref="OmasganTransformer.BatchSize"/>: a second cursor on the input reads the
/// features ahead of the rows handed out, which the IDataView contract allows (two cursors on one view,
/// neither shuffled, see the same rows in the same order).
/// </summary>
internal sealed class ScoredDataView(OmasganTransformer transformer, IDataView input, DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema => schema;

    /// <summary>False: the scores follow the input's own order.</summary>
    public bool CanShuffle => false;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(transformer, input, schema, columnsNeeded);

    /// <summary>One cursor: the batches are scored by the detector's own threads.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly OmasganTransformer transformer;
        private readonly DataViewSchema schema;
        private readonly int inputCount;
        private readonly bool[] active;
        private readonly DataViewRowCursor rows;
        /// <summary>Reads the features ahead of <see cref="rows"/>; null when neither score column is active.</summary>
        private readonly DataViewRowCursor? ahead;
        private readonly ValueGetter<VBuffer<float>>? features;
        private readonly float[] batch;
        private float[] scores = [];
        private int index;
        private float score;

        public Cursor(OmasganTransformer transformer, IDataView input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            this.transformer = transformer;
            this.schema = schema;
            inputCount = input.Schema.Count;
            active = new bool[schema.Count];
            foreach (DataViewSchema.Column column in columnsNeeded)
                active[column.Index] = true;
            bool scoring = active[inputCount] || active[inputCount + 1];
            rows = input.GetRowCursor(input.Schema.Where(c => active[c.Index]));
            batch = new float[scoring ? OmasganTransformer.BatchSize * transformer.FeatureCount : 0];
            if (scoring)
            {
                DataViewSchema.Column column = transformer.CheckInput(input.Schema, nameof(input));
                ahead = input.GetRowCursor([column]);
                features = ahead.GetGetter<VBuffer<float>>(column);
            }
        }

        public override DataViewSchema Schema => schema;
        public override long Position => rows.Position;
        public override long Batch => rows.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => rows.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override bool MoveNext()
        {
            if (!rows.MoveNext())
                return false;
            if (ahead is not null)
            {
                if (++index >= scores.Length)
                    ScoreNextBatch();
                score = scores[index];
            }
            return true;
        }

        private void ScoreNextBatch()
        {
            int width = transformer.FeatureCount;
            int count = 0;
            VBuffer<float> value = default;
            while (count < OmasganTransformer.BatchSize && ahead!.MoveNext())
            {
                features!(ref value);
                value.CopyTo(batch.AsSpan(count * width, width));
                count++;
            }
            if (count == 0)
                throw new InvalidOperationException("The input view gave fewer rows to a second cursor than to the first; OmasganTransformer needs a view that reads the same rows each time.");
            scores = transformer.Score(batch, count);
            index = 0;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            if (column.Index < inputCount)
                return rows.GetGetter<TValue>(rows.Schema[column.Index]);
            return column.Index == inputCount
                ? Getter<float, TValue>(column, (ref float v) => v = score)
                : Getter<bool, TValue>(column, (ref bool v) => v = transformer.Flag(score));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rows.Dispose();
                ahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary><paramref name="getter"/> as the getter type asked for, or a clear error.</summary>
    internal static ValueGetter<TValue> Getter<T, TValue>(DataViewSchema.Column column, ValueGetter<T> getter) =>
        getter as ValueGetter<TValue>
        ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it has no getter of {typeof(TValue).Name}.");
}

/// <summary>One row at a time (a <c>PredictionEngine</c>): the features of the current input row, scored when asked.</summary>
internal sealed class ScoringRowMapper(OmasganTransformer transformer, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => inputSchema;
    public DataViewSchema OutputSchema => outputSchema;

    private int InputCount => inputSchema.Count;

    /// <summary>The input columns asked for, and the features when a score column is.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new SortedSet<int>();
        foreach (DataViewSchema.Column column in dependingColumns)
            if (column.Index < InputCount)
                needed.Add(column.Index);
            else
                needed.Add(transformer.CheckInput(inputSchema, nameof(inputSchema)).Index);
        return needed.Select(i => inputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(transformer, input, outputSchema, activeColumns, transformer.CheckInput(input.Schema, nameof(input)));

    private sealed class Row : DataViewRow
    {
        private readonly OmasganTransformer transformer;
        private readonly DataViewRow input;
        private readonly DataViewSchema schema;
        private readonly bool[] active;
        private readonly ValueGetter<VBuffer<float>>? features;
        private readonly float[] current;
        /// <summary>The last features scored and their score: Score and PredictedLabel of one row score once.</summary>
        private float[]? scored;
        private float score;

        public Row(OmasganTransformer transformer, DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> activeColumns,
            DataViewSchema.Column featureColumn)
        {
            this.transformer = transformer;
            this.input = input;
            this.schema = schema;
            active = new bool[schema.Count];
            foreach (DataViewSchema.Column column in activeColumns)
                active[column.Index] = true;
            current = new float[transformer.FeatureCount];
            if (active[input.Schema.Count] || active[input.Schema.Count + 1])
                features = input.GetGetter<VBuffer<float>>(featureColumn);
        }

        public override DataViewSchema Schema => schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        private float Score()
        {
            VBuffer<float> value = default;
            features!(ref value);
            value.CopyTo(current);
            if (scored is null || !scored.AsSpan().SequenceEqual(current))
            {
                score = transformer.Score(current, 1)[0];
                scored = (float[])current.Clone();
            }
            return score;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row.");
            int inputCount = input.Schema.Count;
            if (column.Index < inputCount)
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            return column.Index == inputCount
                ? ScoredDataView.Getter<float, TValue>(column, (ref float v) => v = Score())
                : ScoredDataView.Getter<bool, TValue>(column, (ref bool v) => v = transformer.Flag(Score()));
        }
    }
}
