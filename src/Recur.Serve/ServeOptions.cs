namespace Recur.Serve;

/// <summary>
/// Settings of <c>recur serve</c>: where it listens, how requests are batched, and the limits that
/// keep one client from taking the server's memory or time. Every limit is named in the problem
/// document a request gets when it goes past it.
/// </summary>
public sealed record ServeOptions
{
    /// <summary>Addresses to listen on (Kestrel's <c>--urls</c> syntax, ';'-separated); loopback by default.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";

    /// <summary>A directory of <c>recur</c> run directories to list and chart on the training monitor, or null for none.</summary>
    public string? RunsDirectory { get; init; }

    /// <summary>How long the first request of a batch waits for others to join it (0: run what is queued at once).</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Most requests in one batched forward pass (1 turns micro-batching off).</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>
    /// Batches of one model that may run at once, for the models that are only predicted with
    /// (classify, tag, forecast: <c>Model.Predict</c> is safe on many threads). A language model
    /// steps one batch at a time: its streams' states move on with every step. With more than
    /// one, each batch of those models runs on one thread (<see cref="RecurSettings.OnCallingThread{T}"/>):
    /// the processors are shared out across batches, and no kernel worker spins between the
    /// kernels of one batch on a processor that another batch or the HTTP work needs (it took a
    /// fifth of the server's processor time at 64 clients, docs/BENCHMARKS.md).
    /// </summary>
    public int ConcurrentBatches { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Most requests waiting for one model; beyond it a request is refused with 503 at once.</summary>
    public int MaxQueue { get; init; } = 4096;

    /// <summary>Largest request body in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Longest text (or prime) in characters.</summary>
    public int MaxTextLength { get; init; } = 10_000;

    /// <summary>Most texts in one request.</summary>
    public int MaxTexts { get; init; } = 256;

    /// <summary>Most characters one generation may ask for (<c>max_tokens</c>).</summary>
    public int MaxTokens { get; init; } = 4096;

    /// <summary>Longest forecast history in values.</summary>
    public int MaxHistory { get; init; } = 100_000;

    /// <summary>Most forecast steps one request may ask for.</summary>
    public int MaxForecastSteps { get; init; } = 1000;

    /// <summary>Time a request may take before it is answered with 504 (a generation stops there).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most stateful streams open at once, over all models.</summary>
    public int MaxStreams { get; init; } = 1000;

    /// <summary>A stream not stepped for this long is closed.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long shutdown waits for requests in flight to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Logs as one JSON object per line instead of plain lines.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Checks every value; the message names the setting (as the command-line option) and the allowed range.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Require(BatchWindow >= TimeSpan.Zero && BatchWindow <= TimeSpan.FromSeconds(1), $"--batch-window is {BatchWindow.TotalMilliseconds} ms; expected 0 to 1000 ms.");
        Require(MaxBatch >= 1, $"--max-batch is {MaxBatch}; expected at least 1.");
        Require(MaxQueue >= 1, $"--max-queue is {MaxQueue}; expected at least 1.");
        Require(ConcurrentBatches >= 1, $"--concurrent-batches is {ConcurrentBatches}; expected at least 1.");
        Require(MaxBodyBytes >= 1024, $"--max-body is {MaxBodyBytes} bytes; expected at least 1024.");
        Require(MaxTextLength >= 1, $"--max-text is {MaxTextLength}; expected at least 1.");
        Require(MaxTexts >= 1, $"--max-texts is {MaxTexts}; expected at least 1.");
        Require(MaxTokens >= 1, $"--max-tokens is {MaxTokens}; expected at least 1.");
        Require(MaxHistory >= 1, $"--max-history is {MaxHistory}; expected at least 1.");
        Require(MaxForecastSteps >= 1, $"--max-forecast-steps is {MaxForecastSteps}; expected at least 1.");
        Require(RequestTimeout > TimeSpan.Zero, $"--timeout is {RequestTimeout.TotalSeconds} s; expected a positive time.");
        Require(MaxStreams >= 0, $"--max-streams is {MaxStreams}; expected 0 or more.");
        Require(StreamIdleTimeout > TimeSpan.Zero, $"--stream-idle is {StreamIdleTimeout.TotalSeconds} s; expected a positive time.");
    }
}
