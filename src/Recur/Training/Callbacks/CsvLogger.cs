using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Recur.Training;

/// <summary>
/// Writes one CSV row per epoch (<c>epoch,loss,…</c>) to <paramref name="path"/>, rewriting the
/// file atomically after each epoch so that it is always complete.
/// </summary>
public sealed class CsvLogger(string path) : Callback
{
    private readonly List<(int Epoch, Dictionary<string, double> Logs)> _rows = new();

    /// <inheritdoc/>
    public override void OnTrainBegin() => _rows.Clear();

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
        => state.Set("rows", JsonSerializer.Serialize(_rows.Select(r => new KeyValuePair<int, Dictionary<string, string>>(
            r.Epoch, r.Logs.ToDictionary(kv => kv.Key, kv => kv.Value.ToString("R", CultureInfo.InvariantCulture)))).ToList()));

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        _rows.Clear();
        var rows = JsonSerializer.Deserialize<List<KeyValuePair<int, Dictionary<string, string>>>>(state.GetText("rows"))
                   ?? throw new InvalidDataException("CsvLogger state: rows is null.");
        foreach (var (epoch, logs) in rows)
            _rows.Add((epoch, logs.ToDictionary(kv => kv.Key, kv => double.Parse(kv.Value, CultureInfo.InvariantCulture))));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        _rows.Add((epoch, new Dictionary<string, double>(logs)));
        var keys = new List<string>();
        foreach (var (_, row) in _rows)
            foreach (var k in row.Keys)
                if (!keys.Contains(k)) keys.Add(k);
        var sb = new StringBuilder();
        sb.Append("epoch");
        foreach (var k in keys) sb.Append(',').Append(k);
        sb.Append('\n');
        foreach (var (e, row) in _rows)
        {
            sb.Append(e + 1);
            foreach (var k in keys)
                sb.Append(',').Append(row.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            sb.Append('\n');
        }
        var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
        Serialization.AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
