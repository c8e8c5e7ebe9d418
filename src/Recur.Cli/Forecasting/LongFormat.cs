using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Data;

namespace Recur.Cli.Forecasting;

/// <summary>
/// Several series in one file, one row per (id, time): rows are grouped by the id column (in order
/// of first appearance) and, within an id, must be in strictly increasing time. Times compare as
/// numbers when every cell is one, else as dates when every cell parses as one, else as text
/// (ordinal, which orders ISO 8601 stamps correctly).
/// </summary>
internal static class LongFormat
{
    /// <summary>The row indices of each id, in file order, checked; every id needs two or more rows.</summary>
    public static List<(string Id, int[] Rows)> Group(DelimitedFile file, int idColumn, int? timeColumn)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < file.Rows.Count; i++)
        {
            string id = file.Rows[i].Cells[idColumn].Trim();
            if (id.Length == 0) throw new InputException($"{file.Path} line {file.Rows[i].Line}: the id ({file.ColumnName(idColumn)}) is empty.");
            if (!groups.TryGetValue(id, out var rows))
            {
                groups[id] = rows = new List<int>();
                order.Add(id);
            }
            rows.Add(i);
        }
        Comparison<int>? compare = timeColumn is { } tc ? TimeOrder(file, tc) : null;
        var result = new List<(string, int[])>();
        foreach (var id in order)
        {
            var rows = groups[id];
            if (rows.Count < 2)
                throw new InputException($"{file.Path} line {file.Rows[rows[0]].Line}: id \"{id}\" has a single row; every series needs at least two.");
            if (compare is not null)
                for (int k = 1; k < rows.Count; k++)
                {
                    int c = compare(rows[k - 1], rows[k]);
                    if (c >= 0)
                    {
                        var row = file.Rows[rows[k]];
                        string time = row.Cells[timeColumn!.Value].Trim(), before = file.Rows[rows[k - 1]].Cells[timeColumn.Value].Trim();
                        throw new InputException(c == 0
                            ? $"{file.Path} line {row.Line}: id \"{id}\" has time {time} twice (duplicated timestamp, also on line {file.Rows[rows[k - 1]].Line})."
                            : $"{file.Path} line {row.Line}: id \"{id}\" goes back in time from {before} to {time}; sort each series by {file.ColumnName(timeColumn.Value)}.");
                    }
                }
            result.Add((id, rows.ToArray()));
        }
        return result;
    }

    /// <summary>How two rows' times compare: as numbers, dates or text, whichever every cell allows.</summary>
    internal static Comparison<int> TimeOrder(DelimitedFile file, int column)
    {
        var cells = file.Rows.Select(r => r.Cells[column].Trim()).ToArray();
        var numbers = new double[cells.Length];
        if (cells.Select((c, i) => Numbers.TryParse(c, out numbers[i])).All(ok => ok))
            return (a, b) => numbers[a].CompareTo(numbers[b]);
        var dates = new DateTime[cells.Length];
        if (cells.Select((c, i) => DateTime.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out dates[i])).All(ok => ok))
            return (a, b) => dates[a].CompareTo(dates[b]);
        return (a, b) => string.CompareOrdinal(cells[a], cells[b]);
    }
}
