using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>
/// Columns of a CSV time series, one row per time step in file order. Missing values (empty,
/// NA, NaN, …) are filled by linear interpolation between the nearest observed neighbours (the
/// nearest one at either end) and counted.
/// </summary>
internal sealed class SeriesFile
{
    private SeriesFile(DelimitedFile file) => File = file;

    public DelimitedFile File { get; }

    public string Path => File.Path;

    public int Length => File.Rows.Count;

    public static SeriesFile Read(string path, bool? header) => From(DelimitedFile.Read(path, "--csv", header));

    /// <summary>A series over an already read file.</summary>
    internal static SeriesFile From(DelimitedFile file) => new(file);

    /// <summary>
    /// A numeric column with gaps filled; <paramref name="observed"/> marks the cells that held a
    /// number. A cell that is neither a number nor a missing marker is an error naming line and column.
    /// </summary>
    public double[] Numeric(int column, out bool[] observed) => Numeric(column, Enumerable.Range(0, Length).ToArray(), out observed);

    /// <summary>
    /// The same over a subset of the rows (one series of a long-format file), in the order given;
    /// gaps are filled within the subset only.
    /// </summary>
    public double[] Numeric(int column, IReadOnlyList<int> rows, out bool[] observed)
    {
        int n = rows.Count;
        var values = new double[n];
        observed = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var row = File.Rows[rows[i]];
            string cell = row.Cells[column];
            if (Numbers.IsMissing(cell)) continue;
            if (!Numbers.TryParse(cell, out values[i]))
                throw new InputException($"{Path} line {row.Line}: \"{Limits.Quote(cell.Trim())}\" is not a number in column {File.ColumnName(column)}.");
            if (Math.Abs(values[i]) > Limits.MaxAbsoluteValue)
                throw new InputException($"{Path} line {row.Line}: {Limits.Quote(cell.Trim())} in column {File.ColumnName(column)} is beyond ±{Limits.MaxAbsoluteValue:G}; " +
                                         "rescale the column (errors and metrics of such values overflow).");
            observed[i] = true;
        }
        if (!observed.Any(o => o)) throw new InputException($"{Path}: column {File.ColumnName(column)} has no numbers (every value is missing).");
        Interpolate(values, observed);
        return values;
    }

    /// <summary>True when every non-missing cell of the column is a number.</summary>
    public bool IsNumeric(int column)
        => File.Rows.All(r => Numbers.IsMissing(r.Cells[column]) || Numbers.TryParse(r.Cells[column], out _));

    /// <summary>The trimmed text of a column, for a categorical (one-hot) feature: at most <see cref="Limits.MaxCategories"/> distinct values.</summary>
    public string[] Text(int column)
    {
        var values = File.Rows.Select(r => r.Cells[column].Trim()).ToArray();
        int categories = values.Where(v => !Numbers.IsMissing(v)).Distinct(StringComparer.Ordinal).Count();
        if (categories > Limits.MaxCategories)
            throw new InputException($"{Path}: column {File.ColumnName(column)} has {categories:N0} distinct values; a categorical feature may have at most " +
                                     $"{Limits.MaxCategories} (each becomes an input). Is it an identifier or a date?");
        return values;
    }

    /// <summary>The file line of time step <paramref name="index"/>.</summary>
    public int Line(int index) => File.Rows[index].Line;

    /// <summary>Fills unobserved entries linearly between observed neighbours; ends copy the nearest observed value.</summary>
    internal static void Interpolate(double[] values, bool[] observed)
    {
        int n = values.Length, previous = -1;
        for (int i = 0; i < n; i++)
        {
            if (!observed[i]) continue;
            if (previous < 0)
                for (int j = 0; j < i; j++) values[j] = values[i];
            else
                for (int j = previous + 1; j < i; j++)
                    values[j] = values[previous] + (values[i] - values[previous]) * (j - previous) / (i - previous);
            previous = i;
        }
        for (int j = previous + 1; j < n; j++) values[j] = values[previous];
    }
}
