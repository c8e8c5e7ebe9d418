using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Recur.Serve.Batching;

namespace Recur.Serve.Metrics;

/// <summary>
/// What <c>/metrics</c> reports, in Prometheus' text format 0.0.4: requests and errors by route,
/// model and status, request latency, batch sizes per model, generated characters and open
/// streams. Label values come only from the routes and the loaded models, so the series are bounded.
/// </summary>
public sealed class ServeMetrics
{
    private static readonly double[] LatencyBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] BatchBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    private static readonly double[] BatchTimeBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly ConcurrentDictionary<(string Route, string Model, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();
    private readonly ConcurrentDictionary<string, Histogram> _batches = new();
    private readonly ConcurrentDictionary<string, Histogram> _batchWaits = new();
    private readonly ConcurrentDictionary<string, Histogram> _batchRuns = new();
    private readonly ConcurrentDictionary<string, long> _tokens = new();
    private readonly ConcurrentDictionary<string, Func<int>> _queues = new();
    private int _openStreams;

    /// <summary>Streams open now.</summary>
    public int OpenStreams => Volatile.Read(ref _openStreams);

    /// <summary>Counts one answered request and its duration.</summary>
    public void Request(string route, string model, int status, double seconds)
    {
        _requests.AddOrUpdate((route, model, status), 1, (_, n) => n + 1);
        _latency.GetOrAdd(route, _ => new Histogram(LatencyBounds)).Observe(seconds);
    }

    /// <summary>
    /// Counts one batched forward pass of <paramref name="model"/>: its size, each item's wait in
    /// the queue and the pass's own time (so that a request's latency can be split into waiting,
    /// running and the HTTP work around them).
    /// </summary>
    public void Batch(string model, BatchReport batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _batches.GetOrAdd(model, _ => new Histogram(BatchBounds)).Observe(batch.Size);
        var waits = _batchWaits.GetOrAdd(model, _ => new Histogram(BatchTimeBounds));
        foreach (double w in batch.WaitSeconds) waits.Observe(w);
        _batchRuns.GetOrAdd(model, _ => new Histogram(BatchTimeBounds)).Observe(batch.RunSeconds);
    }

    /// <summary>Counts generated characters.</summary>
    public void Tokens(string model, int count) => _tokens.AddOrUpdate(model, count, (_, n) => n + count);

    /// <summary>Reports the queue length of <paramref name="model"/> from <paramref name="length"/>.</summary>
    public void Queue(string model, Func<int> length) => _queues[model] = length;

    public void StreamOpened() => Interlocked.Increment(ref _openStreams);

    public void StreamClosed() => Interlocked.Decrement(ref _openStreams);

    /// <summary>Requests answered so far for <paramref name="route"/> with <paramref name="status"/> (any model).</summary>
    public long Count(string route, int status) => _requests.Where(kv => kv.Key.Route == route && kv.Key.Status == status).Sum(kv => kv.Value);

    /// <summary>The whole exposition.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# HELP recur_requests_total HTTP requests answered, by route, model and status.\n# TYPE recur_requests_total counter\n");
        foreach (var ((route, model, status), n) in _requests.OrderBy(kv => kv.Key))
            sb.Append(CultureInfo.InvariantCulture, $"recur_requests_total{{route=\"{route}\",model=\"{Escape(model)}\",status=\"{status}\"}} {n}\n");
        sb.Append("# HELP recur_request_errors_total Requests answered with a 4xx or 5xx status, by route, model and status.\n# TYPE recur_request_errors_total counter\n");
        foreach (var ((route, model, status), n) in _requests.Where(kv => kv.Key.Status >= 400).OrderBy(kv => kv.Key))
            sb.Append(CultureInfo.InvariantCulture, $"recur_request_errors_total{{route=\"{route}\",model=\"{Escape(model)}\",status=\"{status}\"}} {n}\n");
        sb.Append("# HELP recur_request_duration_seconds Time from the request to the end of its response, by route.\n# TYPE recur_request_duration_seconds histogram\n");
        foreach (var (route, h) in _latency.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            h.Write(sb, "recur_request_duration_seconds", $"route=\"{route}\"");
        WriteByModel(sb, _batches, "recur_batch_size", "Requests per batched forward pass, by model.");
        WriteByModel(sb, _batchWaits, "recur_batch_wait_seconds", "Time a request item waited in its model's queue until its batch ran, by model.");
        WriteByModel(sb, _batchRuns, "recur_batch_run_seconds", "Time of one batched forward pass (with the task's encoding and decoding), by model.");
        sb.Append("# HELP recur_generated_tokens_total Characters generated, by model.\n# TYPE recur_generated_tokens_total counter\n");
        foreach (var (model, n) in _tokens.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(CultureInfo.InvariantCulture, $"recur_generated_tokens_total{{model=\"{Escape(model)}\"}} {n}\n");
        sb.Append("# HELP recur_queue_length Requests waiting for a batch, by model.\n# TYPE recur_queue_length gauge\n");
        foreach (var (model, length) in _queues.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(CultureInfo.InvariantCulture, $"recur_queue_length{{model=\"{Escape(model)}\"}} {length()}\n");
        sb.Append("# HELP recur_open_streams Stateful streams open now.\n# TYPE recur_open_streams gauge\n");
        sb.Append(CultureInfo.InvariantCulture, $"recur_open_streams {OpenStreams}\n");
        return sb.ToString();
    }

    /// <summary>One histogram per model under <paramref name="name"/>, with its HELP and TYPE lines.</summary>
    private static void WriteByModel(StringBuilder sb, ConcurrentDictionary<string, Histogram> byModel, string name, string help)
    {
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        foreach (var (model, h) in byModel.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            h.Write(sb, name, $"model=\"{Escape(model)}\"");
    }

    private static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
