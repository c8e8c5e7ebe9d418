namespace Recur.Training;

/// <summary>Whether a monitored quantity improves when it goes down or up.</summary>
public enum MonitorMode
{
    /// <summary>Down for losses and errors, up for accuracy-like names (contains "acc").</summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Tracks the best value of a monitored quantity.</summary>
internal sealed class Monitor
{
    private readonly bool _max;
    private readonly double _minDelta;

    public Monitor(string key, MonitorMode mode, double minDelta)
    {
        if (minDelta < 0) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be ≥ 0.");
        Key = key;
        _max = mode == MonitorMode.Max || (mode == MonitorMode.Auto && key.Contains("acc", StringComparison.OrdinalIgnoreCase));
        _minDelta = minDelta;
        Best = _max ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public string Key { get; }

    public double Best { get; set; }

    /// <summary>Reads the quantity from the logs; throws with the available keys when it is missing.</summary>
    public double Read(IReadOnlyDictionary<string, double> logs, string owner)
        => logs.TryGetValue(Key, out var v)
            ? v
            : throw new InvalidOperationException($"{owner} monitors '{Key}', which is not logged; logged: {string.Join(", ", logs.Keys)}. " +
                                                  "Pass validation data for val_ quantities, or monitor another key.");

    /// <summary>True (and records it) when <paramref name="value"/> beats the best by more than minDelta.</summary>
    public bool Improved(double value)
    {
        if (double.IsNaN(value)) return false;
        bool better = _max ? value > Best + _minDelta : value < Best - _minDelta;
        if (better) Best = value;
        return better;
    }
}
