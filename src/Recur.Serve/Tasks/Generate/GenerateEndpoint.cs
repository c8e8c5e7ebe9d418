using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Recur.Serve.Api;
using Recur.Serve.Batching;
using Recur.Serve.Inference;
using Recur.Serve.Models;

namespace Recur.Serve.Tasks.Generate;

/// <summary>
/// <c>charlm</c>: generation from a prime, streamed character by character as server-sent events
/// (<c>event: token</c> … <c>event: done</c>), and stateful streams that read text and generate
/// on. Every step of every generation and stream is one item of the model's micro-batcher, so
/// concurrent generations advance together in one batched forward pass per character.
/// </summary>
/// <remarks>
/// A generation runs exactly as <c>recur charlm sample</c>: the prime but its last character in
/// one pass, then one character at a time from the last one, each drawn with the generation's own
/// <see cref="SeededRandom"/>; the same seed, temperature and prime give the same text.
/// </remarks>
public sealed class GenerateEndpoint : TaskEndpoint
{
    private const int DefaultTokens = 200;
    private const double DefaultTemperature = 0.8, MaxTemperature = 100;
    private readonly ICharacterModel _model;
    private readonly MicroBatcher<(object, int), CharStep> _batcher;
    private readonly InFlight _active = new();
    private readonly Dictionary<char, int> _ids;
    private readonly ModelGate _gate = new();

    /// <summary>Serves <paramref name="model"/> as model <paramref name="name"/>.</summary>
    public GenerateEndpoint(string name, ICharacterModel model, ServeContext context) : base(name, context)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _ids = model.Alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var o = context.Options;
        // One batch at a time (concurrency 1), and through the gate: a step runs the layers' Forward, which keeps per-call buffers.
        // With processors to share (ServeOptions.ConcurrentBatches) a step runs on one thread: its
        // kernels are small, and a kernel worker would spin between them on the processor the
        // HTTP work of the generations needs (a seventh of the server's samples at 64 clients).
        Func<IReadOnlyList<(object, int)>, IReadOnlyList<CharStep>> step = o.ConcurrentBatches > 1
            ? rows => RecurSettings.OnCallingThread(() => model.Advance(rows))
            : model.Advance;
        _batcher = new MicroBatcher<(object, int), CharStep>(rows => _gate.Run(() => step(rows)),
            o.BatchWindow, o.MaxBatch, o.MaxQueue, () => _active.Count, b => context.Metrics.Batch(name, b));
        context.Metrics.Queue(name, () => _batcher.Queued);
    }

    /// <inheritdoc/>
    public override string Task => "charlm";

    /// <inheritdoc/>
    public override Type RequestType => typeof(GenerateRequest);

    /// <inheritdoc/>
    public override Type ResponseType => typeof(GenerateResponse);

    /// <inheritdoc/>
    public override bool HasStreams => true;

    /// <inheritdoc/>
    public override async Task PredictAsync(HttpContext http, JsonRequest request, CancellationToken cancellation)
    {
        var o = Context.Options;
        request.AllowOnly("prime", "max_tokens", "temperature", "top_k", "seed", "stream");
        var prime = request.Text("prime", o.MaxTextLength) ?? throw RequestException.Missing("prime", "the text to continue, at least one character");
        if (prime.Length == 0) throw RequestException.Invalid("prime", "'prime' is empty; give at least one character to start from.");
        var ids = Encode(prime, "prime");
        int maxTokens = (int)(request.Whole("max_tokens", 0, o.MaxTokens) ?? Math.Min(DefaultTokens, o.MaxTokens));
        var sampling = ReadSampling(request);
        ulong seed = request.UnsignedInteger("seed") ?? RandomSeed();
        bool stream = request.Flag("stream") ?? true;

        using var active = _active.Enter(1);
        // As recur charlm sample: the prime but its last character read one at a time, then each draw fed back.
        var state = _model.NewState();
        for (int i = 0; i < ids.Length - 1; i++) state = (await _batcher.RunAsync((state, ids[i]), cancellation).ConfigureAwait(false)).State;
        int current = ids[^1];
        var random = new SeededRandom(seed);
        // Each step is queued before the previous character's event is written, so that the write
        // (serialising, the socket) overlaps the next batch instead of keeping this generation out
        // of it: a batch then finds every generation waiting, not only those between two writes.
        // The steps and draws are those of the loop without the overlap, in the same order.
        Task<CharStep>? next = maxTokens > 0 ? _batcher.RunAsync((state, current), cancellation) : null;
        var text = new StringBuilder();
        string finish = "length";
        try
        {
            if (stream) await StartEventsAsync(http).ConfigureAwait(false);
            for (int n = 0; n < maxTokens; n++)
            {
                var step = await next!.ConfigureAwait(false);
                next = null;
                state = step.State;
                current = _model.Draw(step.LogProbabilities, sampling.Temperature, sampling.TopK, random);
                text.Append(_model.Alphabet[current]);
                if (n + 1 < maxTokens) next = _batcher.RunAsync((state, current), cancellation);
                if (stream) await EventAsync(http, "token", new TokenEvent(_model.Alphabet[current].ToString(), n), cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stream && !http.RequestAborted.IsCancellationRequested)
        {
            finish = "timeout"; // the request timeout fired; the client is still there to be told
        }
        finally
        {
            Abandon(next); // a step queued ahead of a write that failed or was cancelled
        }
        Context.Metrics.Tokens(Model, text.Length);
        var done = new GenerateResponse(text.ToString(), text.Length, finish, seed);
        if (stream) await EventAsync(http, "done", done, CancellationToken.None).ConfigureAwait(false);
        else await WriteJsonAsync(http, done).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override object OpenStream(JsonRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.AllowOnly("seed");
        return new CharStream(_model.NewState(), new SeededRandom(request.UnsignedInteger("seed") ?? RandomSeed()));
    }

    /// <inheritdoc/>
    public override async Task<object> StepAsync(object state, JsonRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stream = (CharStream)state;
        var o = Context.Options;
        request.AllowOnly("text", "max_tokens", "temperature", "top_k", "top");
        var text = request.Text("text", o.MaxTextLength) ?? "";
        var ids = Encode(text, "text");
        int maxTokens = (int)(request.Whole("max_tokens", 0, o.MaxTokens) ?? 0);
        var sampling = ReadSampling(request);
        int top = (int)(request.Whole("top", 1, _model.Alphabet.Length) ?? Math.Min(5, _model.Alphabet.Length));
        if (ids.Length == 0 && stream.Next is null)
            throw RequestException.Invalid("text", "'text' is empty and the stream has read nothing yet; give at least one character.");

        using var active = _active.Enter(1);
        foreach (int id in ids) stream.Read(await _batcher.RunAsync((stream.State, id), cancellation).ConfigureAwait(false));
        var generated = new StringBuilder();
        for (int n = 0; n < maxTokens; n++)
        {
            int next = _model.Draw(stream.Next!, sampling.Temperature, sampling.TopK, stream.Random);
            generated.Append(_model.Alphabet[next]);
            stream.Read(await _batcher.RunAsync((stream.State, next), cancellation).ConfigureAwait(false));
        }
        Context.Metrics.Tokens(Model, generated.Length);
        return new StepResponse(ids.Length, generated.ToString(), stream.Position, Likeliest(stream.Next!, top));
    }

    /// <summary>Observes a step no one will await, so its failure (a cancelled request) is not left unobserved.</summary>
    private static void Abandon(Task<CharStep>? step)
        => step?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private (double Temperature, int TopK) ReadSampling(JsonRequest request)
        => (request.Number("temperature", 0, MaxTemperature) ?? DefaultTemperature,
            (int)(request.Whole("top_k", 0, _model.Alphabet.Length) ?? 0));

    /// <summary>The ids of <paramref name="text"/>; a character outside the alphabet is a 422 naming its position.</summary>
    private int[] Encode(string text, string field)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!_ids.TryGetValue(text[i], out ids[i]))
                throw RequestException.Invalid($"{field}[{i}]",
                    $"'{field}' has the character {JsonSerializer.Serialize(text[i].ToString(), ServeJson.Options)} at {i}, which the model never saw in training; its alphabet has {_model.Alphabet.Length} characters.");
        }
        return ids;
    }

    /// <summary>The <paramref name="top"/> most likely next characters (temperature 1).</summary>
    private List<NextChar> Likeliest(float[] logProbabilities, int top)
        => Enumerable.Range(0, logProbabilities.Length).OrderByDescending(i => logProbabilities[i]).ThenBy(i => i).Take(top)
            .Select(i => new NextChar(_model.Alphabet[i].ToString(), Math.Exp(logProbabilities[i]))).ToList();

    private static ulong RandomSeed() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 11; // ≤ 2^53: exact in JavaScript too

    private static async Task StartEventsAsync(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await http.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static async Task EventAsync(HttpContext http, string name, object data, CancellationToken cancellation)
    {
        var line = $"event: {name}\ndata: {JsonSerializer.Serialize(data, data.GetType(), ServeJson.Options)}\n\n";
        await http.Response.WriteAsync(line, cancellation).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync() => _batcher.DisposeAsync();

    /// <summary>A stream's state: the model's state after what it read, its draws, and the log-probabilities of the next character.</summary>
    private sealed class CharStream(object state, SeededRandom random)
    {
        public object State { get; private set; } = state;
        public SeededRandom Random { get; } = random;
        public float[]? Next { get; private set; }
        public long Position { get; private set; }

        public void Read(CharStep step)
        {
            State = step.State;
            Next = step.LogProbabilities;
            Position++;
        }
    }
}
