using Recur.Training;

namespace Recur.Models;

/// <summary>
/// Where a running <c>Fit</c> stands: the epoch, the batches trained, the reading position in the
/// source, the logs so far and the callbacks. A backup records it; a resume sets it back.
/// </summary>
internal sealed class TrainingRun(IReadOnlyList<Callback> callbacks, bool continuing)
{
    private readonly List<IReadOnlyDictionary<string, double>> _rows = new();

    /// <summary>The epoch in progress (0-based); after a restore, the first epoch to run.</summary>
    public int Epoch { get; set; }

    /// <summary>Training batches done, over the whole run.</summary>
    public long Steps { get; set; }

    /// <summary>With steps per epoch: the source epoch being read and the batches taken from it.</summary>
    public int SourceEpoch { get; set; }

    /// <inheritdoc cref="SourceEpoch"/>
    public int SourceOffset { get; set; }

    /// <summary>True when epochs are rounds of a continuous reading of the source.</summary>
    public bool Continuing => continuing;

    public IReadOnlyList<Callback> Callbacks => callbacks;

    public History History { get; private set; } = new();

    /// <summary>The logs of every finished epoch, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => _rows;

    public void Append(IReadOnlyDictionary<string, double> logs)
    {
        _rows.Add(new Dictionary<string, double>(logs));
        History.Append(logs);
    }

    /// <summary>Replaces the logs with those of a backup.</summary>
    public void RestoreRows(IEnumerable<IReadOnlyDictionary<string, double>> rows)
    {
        _rows.Clear();
        History = new History();
        foreach (var r in rows) Append(r);
    }
}
