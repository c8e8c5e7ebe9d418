using Recur.Layers;
using Recur.Training;

namespace Recur.Models;

/// <summary>One tracked metric: the output it reads and the name it logs under.</summary>
internal sealed record MetricSlot(int Output, string LogName, Metric Metric);

/// <summary>The batch-size-weighted mean loss and the metrics of one epoch (or one evaluation).</summary>
internal sealed class RunningMetrics
{
    private readonly IReadOnlyList<MetricSlot> _metrics;
    private double _lossSum;
    private long _samples;
    private readonly Dictionary<string, double> _namedSums = new(); // each output's loss (several outputs)

    public RunningMetrics(IReadOnlyList<MetricSlot> metrics)
    {
        _metrics = metrics;
        foreach (var m in metrics) m.Metric.Reset();
    }

    /// <summary>The outputs some metric reads.</summary>
    public IEnumerable<int> TrackedOutputs => _metrics.Select(m => m.Output).Distinct();

    /// <summary>
    /// Adds one batch: its total loss, each output's loss (several outputs), and for every output
    /// a metric reads, the predictions as probabilities, the target and the mask the loss used.
    /// </summary>
    public void Add(double loss, int samples, IReadOnlyDictionary<string, double>? namedLosses,
        Func<int, (Tensor Probabilities, Tensor Target, SequenceMask? Mask)> output)
    {
        _lossSum += loss * samples;
        _samples += samples;
        if (namedLosses is not null)
            foreach (var (name, value) in namedLosses) _namedSums[name] = _namedSums.GetValueOrDefault(name) + value * samples;
        foreach (int k in TrackedOutputs)
        {
            var (probabilities, target, mask) = output(k);
            foreach (var m in _metrics)
                if (m.Output == k) m.Metric.Update(probabilities, target, mask);
        }
    }

    public IReadOnlyDictionary<string, double> Logs()
    {
        var logs = new Dictionary<string, double> { ["loss"] = _samples == 0 ? double.NaN : _lossSum / _samples };
        foreach (var (name, sum) in _namedSums) logs[name] = sum / _samples;
        foreach (var m in _metrics) logs[m.LogName] = m.Metric.Result();
        return logs;
    }
}
