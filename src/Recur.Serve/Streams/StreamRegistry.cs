using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;
using Recur.Serve.Models;

namespace Recur.Serve.Streams;

/// <summary>
/// The open stateful streams of every model: at most <see cref="ServeOptions.MaxStreams"/> at
/// once, each closed after <see cref="ServeOptions.StreamIdleTimeout"/> without a step (or by
/// <c>DELETE</c>). Steps of one stream run one after another; different streams run concurrently.
/// </summary>
public sealed class StreamRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, StreamSession> _streams = new(StringComparer.Ordinal);
    private readonly ServeContext _context;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private int _count;

    /// <summary>Starts the idle sweep (every quarter of the idle timeout, at most every 30 s).</summary>
    public StreamRegistry(ServeContext context, TimeProvider? time = null)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _time = time ?? TimeProvider.System;
        var period = TimeSpan.FromTicks(Math.Clamp(context.Options.StreamIdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond * 30));
        _sweeper = _time.CreateTimer(_ => Sweep(), null, period, period);
    }

    /// <summary>Streams open now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Opens a stream of <paramref name="model"/> with the state its endpoint makes from <paramref name="request"/>.</summary>
    /// <exception cref="RequestException">400 the model has no streams, 429 at the cap.</exception>
    public StreamSession Open(ServedModel model, JsonRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = model.Endpoint.OpenStream(request);
        int max = _context.Options.MaxStreams;
        if (Interlocked.Increment(ref _count) > max)
        {
            Interlocked.Decrement(ref _count);
            throw new RequestException(StatusCodes.Status429TooManyRequests, "too-many-streams", "Too many open streams",
                $"{max:N0} streams are open, the server's limit; close one with DELETE or wait for an idle one to expire (after {_context.Options.StreamIdleTimeout.TotalSeconds:0} s).",
                limit: max)
            { RetryAfterSeconds = (int)Math.Ceiling(_context.Options.StreamIdleTimeout.TotalSeconds / 4) };
        }
        var stream = new StreamSession(NewId(), model, state, _time.GetUtcNow());
        _streams[stream.Id] = stream;
        _context.Metrics.StreamOpened();
        return stream;
    }

    /// <summary>The open stream <paramref name="id"/> of <paramref name="model"/>.</summary>
    /// <exception cref="RequestException">404 when there is none (never opened, deleted or expired).</exception>
    public StreamSession Get(ServedModel model, string id)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _streams.TryGetValue(id, out var s) && ReferenceEquals(s.Model, model) ? s : throw NotFound(model, id);
    }

    /// <summary>Runs one step of <paramref name="stream"/> after any step already running on it.</summary>
    public async Task<object> StepAsync(StreamSession stream, JsonRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.Turn.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (!_streams.ContainsKey(stream.Id)) throw NotFound(stream.Model, stream.Id); // closed while this step waited
            var answer = await stream.Model.Endpoint.StepAsync(stream.State, request, cancellation).ConfigureAwait(false);
            stream.LastUsed = _time.GetUtcNow();
            return answer;
        }
        finally
        {
            stream.LastUsed = _time.GetUtcNow();
            stream.Turn.Release();
        }
    }

    private RequestException NotFound(ServedModel model, string id)
        => new(StatusCodes.Status404NotFound, "unknown-stream", "No open stream of that id",
            $"Model '{model.Name}' has no open stream '{id}': it was never opened, was deleted, or expired after {_context.Options.StreamIdleTimeout.TotalSeconds:0} s idle.", "id");

    /// <summary>Closes <paramref name="stream"/>.</summary>
    public void Close(StreamSession stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_streams.TryRemove(stream.Id, out _))
        {
            Interlocked.Decrement(ref _count);
            _context.Metrics.StreamClosed();
        }
    }

    /// <summary>Closes every stream idle for longer than the timeout.</summary>
    internal void Sweep()
    {
        var cutoff = _time.GetUtcNow() - _context.Options.StreamIdleTimeout;
        foreach (var s in _streams.Values)
            if (s.LastUsed < cutoff && s.Turn.CurrentCount == 1) Close(s);
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <inheritdoc/>
    public void Dispose() => _sweeper.Dispose();
}

/// <summary>One open stream: its id, model, the endpoint's state and when it was last stepped.</summary>
public sealed class StreamSession(string id, ServedModel model, object state, DateTimeOffset opened)
{
    /// <summary>The id in the URLs.</summary>
    public string Id { get; } = id;

    /// <summary>The model it belongs to.</summary>
    public ServedModel Model { get; } = model;

    /// <summary>The endpoint's state of the stream.</summary>
    public object State { get; } = state;

    /// <summary>When it was opened or last stepped.</summary>
    public DateTimeOffset LastUsed { get; internal set; } = opened;

    /// <summary>One step at a time.</summary>
    internal SemaphoreSlim Turn { get; } = new(1, 1);
}
