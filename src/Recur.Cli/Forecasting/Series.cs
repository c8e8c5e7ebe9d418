using Recur.Cli.Common;
using Recur.Cli.Data;

namespace Recur.Cli.Forecasting;

/// <summary>One series to forecast: the target with gaps filled, which cells were observed, the file line of each row and its feature columns.</summary>
internal sealed record Series(string Id, double[] Y, bool[] Observed, int[] Lines, IReadOnlyList<Feature> Features)
{
    public int Length => Y.Length;

    /// <summary>"series.csv" or "series.csv, id A" for messages.</summary>
    public string Describe(string path) => Id.Length == 0 ? path : $"{path}, id \"{Id}\"";

    /// <summary>
    /// The series of a file: the whole file as one series, or one per id of <paramref name="idColumn"/>
    /// (long format). <paramref name="missing"/> counts the target and feature cells filled.
    /// </summary>
    public static List<Series> Read(SeriesFile file, int targetColumn, IReadOnlyList<int> featureColumns, int? idColumn, int? timeColumn, out int missing)
    {
        var groups = idColumn is { } ic
            ? LongFormat.Group(file.File, ic, timeColumn)
            : [("", Enumerable.Range(0, file.Length).ToArray())];
        var categories = featureColumns.ToDictionary(c => c, c => file.IsNumeric(c) ? null : CategoricalFeature.Categories(file.Text(c)));
        var result = new List<Series>();
        missing = 0;
        foreach (var (id, rows) in groups)
        {
            var y = file.Numeric(targetColumn, rows, out var observed);
            missing += observed.Count(o => !o);
            var features = new List<Feature>();
            foreach (int c in featureColumns)
            {
                if (categories[c] is { } cats)
                {
                    var text = file.Text(c);
                    features.Add(new CategoricalFeature(file.File.ColumnName(c), rows.Select(r => text[r]).ToArray(), cats));
                    continue;
                }
                var values = file.Numeric(c, rows, out var obs);
                missing += obs.Count(o => !o);
                features.Add(new NumericFeature(file.File.ColumnName(c), values));
            }
            result.Add(new Series(id, y, observed, rows.Select(file.Line).ToArray(), features));
        }
        return result;
    }

    /// <summary>Fails with one line when the target does not change over the rows before the test span.</summary>
    public void RequireVarying(int rows, string path, string target)
    {
        for (int t = 1; t < rows; t++)
            if (Y[t] != Y[0]) return;
        throw new InputException($"{Describe(path)}: {target} is constant ({Numbers.Format(Y[0])}) over the {rows} rows before the test span; there is nothing to learn.");
    }
}
