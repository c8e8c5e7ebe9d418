using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Recur.Cli.Output;

/// <summary><c>history.csv</c>: one row per epoch (or evaluation round) with every logged quantity, rewritten atomically after each.</summary>
internal sealed class HistoryCsv(string path)
{
    private readonly List<IReadOnlyDictionary<string, double>> _rows = new();
    private readonly List<string> _keys = new();

    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => _rows;

    public void Append(IReadOnlyDictionary<string, double> row)
    {
        Add(row);
        Write();
    }

    /// <summary>Replaces every row (a resumed run's history) and rewrites the file.</summary>
    public void Restore(IEnumerable<IReadOnlyDictionary<string, double>> rows)
    {
        _rows.Clear();
        _keys.Clear();
        foreach (var r in rows) Add(r);
        Write();
    }

    /// <summary>The rows as text for a training backup (numbers in round-trip form), read back by <see cref="Restore(string)"/>.</summary>
    public string SaveState()
        => JsonSerializer.Serialize(_rows.Select(r => r.ToDictionary(kv => kv.Key, kv => kv.Value.ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>Replaces every row by those of <see cref="SaveState"/> (a resumed run) and rewrites the file; returns the number of rows.</summary>
    public int Restore(string state)
    {
        var rows = JsonSerializer.Deserialize<List<Dictionary<string, string>>>(state) ?? [];
        Restore(rows.Select(r => (IReadOnlyDictionary<string, double>)r.ToDictionary(kv => kv.Key, kv => double.Parse(kv.Value, CultureInfo.InvariantCulture))));
        return rows.Count;
    }

    private void Add(IReadOnlyDictionary<string, double> row)
    {
        _rows.Add(new Dictionary<string, double>(row));
        foreach (var k in row.Keys)
            if (!_keys.Contains(k)) _keys.Add(k);
    }

    private void Write()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', _keys).Append('\n');
        foreach (var r in _rows)
            sb.AppendJoin(',', _keys.Select(k => r.TryGetValue(k, out var v) && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")).Append('\n');
        JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
    }

    /// <summary>The values of one column, NaN where a row lacks it.</summary>
    public double[] Column(string key) => _rows.Select(r => r.TryGetValue(key, out var v) ? v : double.NaN).ToArray();

    public bool Has(string key) => _keys.Contains(key);
}
