using System.Diagnostics;
using System.Threading.Channels;
using Recur.Serve.Api;

namespace Recur.Serve.Batching;

/// <summary>
/// Gathers concurrent single requests to one model into batches, as Triton's and TorchServe's
/// dynamic batchers do: the first waiting item opens a batch, which takes every item already
/// queued and then waits up to <c>window</c> for more, but no longer than until it holds
/// <c>maxBatch</c> items or every request in flight (<c>inFlight</c>). One gatherer forms the
/// batches in order; up to <c>concurrency</c> of them run at once (a batch opens only when one
/// may run, so while they all run the queue fills the next one). Each item gets its own result
/// (or the batch's exception), and each batch is reported (<see cref="BatchReport"/>: its size,
/// how long its items waited for it and how long it ran) for the metrics.
/// </summary>
/// <typeparam name="TIn">One request's input.</typeparam>
/// <typeparam name="TOut">One request's result.</typeparam>
public sealed class MicroBatcher<TIn, TOut> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue;
    private readonly Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> _run;
    private readonly TimeSpan _window;
    private readonly int _maxBatch, _maxQueue;
    private readonly Func<int> _inFlight;
    private readonly Action<BatchReport>? _onBatch;
    private readonly Task _worker;
    private readonly SemaphoreSlim _slots;
    private readonly int _concurrency;
    private int _queued;

    /// <param name="run">Runs one batch; returns one result per input, in order.</param>
    /// <param name="window">Longest wait for a batch to fill (0: only what is already queued).</param>
    /// <param name="maxBatch">Most items per batch (1: no batching).</param>
    /// <param name="maxQueue">Most items waiting; more are refused with 503.</param>
    /// <param name="inFlight">Requests that may still join (a batch that holds them all runs at once); null: no such bound.</param>
    /// <param name="onBatch">Told each batch's size and times once it has run (metrics).</param>
    /// <param name="concurrency">Batches that may run at once (1: one after another); more only when <paramref name="run"/> is safe on several threads.</param>
    public MicroBatcher(Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> run, TimeSpan window, int maxBatch, int maxQueue,
        Func<int>? inFlight = null, Action<BatchReport>? onBatch = null, int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueue, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _concurrency = concurrency;
        _slots = new SemaphoreSlim(concurrency, concurrency);
        _run = run;
        _window = window;
        _maxBatch = maxBatch;
        _maxQueue = maxQueue;
        _inFlight = inFlight ?? (() => int.MaxValue);
        _onBatch = onBatch;
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Items waiting for a batch.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Queues <paramref name="input"/> and returns its result once its batch has run.</summary>
    /// <exception cref="RequestException">503 when the queue is full.</exception>
    public Task<TOut> RunAsync(TIn input, CancellationToken cancellation)
    {
        if (Interlocked.Increment(ref _queued) > _maxQueue)
        {
            Interlocked.Decrement(ref _queued);
            throw new RequestException(503, "queue-full", "The model's queue is full",
                $"{_maxQueue:N0} requests are already waiting for this model; retry shortly.", limit: _maxQueue)
            { RetryAfterSeconds = 1 };
        }
        var pending = new Pending(input, cancellation);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw new RequestException(503, "shutting-down", "The server is shutting down", "The model no longer takes requests.");
        }
        return pending.Result.Task;
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        var running = new List<Task>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await _slots.WaitAsync().ConfigureAwait(false); // released when the batch has run
            var batch = new List<Pending>(_maxBatch);
            Take(reader, batch);
            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }
            if (_window > TimeSpan.Zero)
            {
                long deadline = Stopwatch.GetTimestamp() + (long)(_window.TotalSeconds * Stopwatch.Frequency);
                while (batch.Count < _maxBatch && batch.Count < _inFlight())
                {
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0) break;
                    using var timer = new CancellationTokenSource(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                    try
                    {
                        if (!await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false)) break;
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    Take(reader, batch);
                }
            }
            if (_concurrency == 1)
            {
                Execute(batch);
                _slots.Release();
                continue;
            }
            running.RemoveAll(t => t.IsCompleted);
            running.Add(Task.Run(() =>
            {
                try
                {
                    Execute(batch);
                }
                finally
                {
                    _slots.Release();
                }
            }));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Moves queued items (not yet given up by their callers) into the batch, up to its size.</summary>
    private void Take(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (batch.Count < _maxBatch && reader.TryRead(out var p))
        {
            Interlocked.Decrement(ref _queued);
            if (!p.Result.Task.IsCompleted) batch.Add(p);
        }
    }

    private void Execute(List<Pending> batch)
    {
        batch.RemoveAll(p => p.Result.Task.IsCompleted); // given up while the batch filled
        if (batch.Count == 0) return;
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<TOut>? results = null;
        Exception? error = null;
        try
        {
            results = _run(batch.Select(p => p.Input).ToList());
            if (results.Count != batch.Count)
                throw new InvalidOperationException($"A batch of {batch.Count} gave {results.Count} results.");
        }
        catch (Exception e)
        {
            error = e;
        }
        // Reported before any item completes: whoever reads the metrics after an answer sees its batch.
        if (_onBatch is not null)
        {
            long end = Stopwatch.GetTimestamp();
            var waits = new double[batch.Count];
            for (int i = 0; i < waits.Length; i++) waits[i] = Seconds(start - batch[i].Queued);
            _onBatch(new BatchReport(batch.Count, waits, Seconds(end - start)));
        }
        for (int i = 0; i < batch.Count; i++)
        {
            if (error is null) batch[i].Complete(results![i]);
            else batch[i].Fail(error);
        }
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    /// <summary>Stops taking items and waits for the queued ones to run.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
        _slots.Dispose();
    }

    private sealed class Pending
    {
        private readonly CancellationTokenRegistration _registration;

        public Pending(TIn input, CancellationToken cancellation)
        {
            Input = input;
            Queued = Stopwatch.GetTimestamp();
            Result = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (cancellation.CanBeCanceled)
                _registration = cancellation.Register(static (s, token) => ((TaskCompletionSource<TOut>)s!).TrySetCanceled(token), Result);
        }

        public TIn Input { get; }

        /// <summary>When the item was queued (<see cref="Stopwatch"/> ticks).</summary>
        public long Queued { get; }

        public TaskCompletionSource<TOut> Result { get; }

        public void Complete(TOut value)
        {
            _registration.Dispose();
            Result.TrySetResult(value);
        }

        public void Fail(Exception e)
        {
            _registration.Dispose();
            Result.TrySetException(e);
        }
    }
}
