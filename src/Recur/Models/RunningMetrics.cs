using Recur.Layers;
using Recur.Training;

namespace Recur.Models;

/// <summary>The batch-size-weighted mean loss and the metrics of one epoch (or one evaluation).</summary>
internal sealed class RunningMetrics
{
    private readonly IReadOnlyList<Metric> _metrics;
    private double _lossSum;
    private long _samples;
    private readonly Dictionary<string, double> _namedSums = new(); // each output's loss (several outputs)

    public RunningMetrics(IReadOnlyList<Metric> metrics)
    {
        _metrics = metrics;
        foreach (var m in metrics) m.Reset();
    }

    public void Add(double loss, int samples, Tensor probabilities, Tensor target, SequenceMask? mask, IReadOnlyDictionary<string, double>? namedLosses = null)
    {
        _lossSum += loss * samples;
        _samples += samples;
        if (namedLosses is not null)
            foreach (var (name, value) in namedLosses) _namedSums[name] = _namedSums.GetValueOrDefault(name) + value * samples;
        foreach (var m in _metrics) m.Update(probabilities, target, mask);
    }

    public IReadOnlyDictionary<string, double> Logs()
    {
        var logs = new Dictionary<string, double> { ["loss"] = _samples == 0 ? double.NaN : _lossSum / _samples };
        foreach (var (name, sum) in _namedSums) logs[name] = sum / _samples;
        foreach (var m in _metrics) logs[m.Name] = m.Result();
        return logs;
    }
}
