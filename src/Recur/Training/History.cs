namespace Recur.Training;

/// <summary>
/// Every logged quantity per epoch: <c>loss</c>, each metric, <c>val_</c>-prefixed validation
/// values, and <c>lr</c>. Returned by <c>Fit</c>.
/// </summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = new();
    private readonly List<string> _order = new();

    /// <summary>Names of the logged quantities, in first-logged order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Number of completed epochs.</summary>
    public int Epochs { get; private set; }

    /// <summary>The values of one quantity, one per epoch.</summary>
    /// <exception cref="KeyNotFoundException">The quantity was never logged; the message lists what was.</exception>
    public IReadOnlyList<double> this[string key] => _values.TryGetValue(key, out var v)
        ? v
        : throw new KeyNotFoundException($"History has no '{key}'; it has: {string.Join(", ", _order)}.");

    /// <summary>True when the quantity was logged.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    internal void Append(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (k, v) in logs)
        {
            if (!_values.TryGetValue(k, out var list))
            {
                list = new List<double>();
                _values[k] = list;
                _order.Add(k);
                for (int e = 0; e < Epochs; e++) list.Add(double.NaN);
            }
            list.Add(v);
        }
        Epochs++;
        foreach (var list in _values.Values)
            while (list.Count < Epochs) list.Add(double.NaN);
    }
}
