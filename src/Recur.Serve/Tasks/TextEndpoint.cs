using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;
using Recur.Serve.Batching;
using Recur.Serve.Models;

namespace Recur.Serve.Tasks;

/// <summary>
/// A task that answers each text on its own (classify, tag): <c>{"text"}</c> → one answer,
/// <c>{"texts"}</c> → <c>{"predictions": [...]}</c>. Every text is one item of the model's
/// micro-batcher, so concurrent requests share forward passes.
/// </summary>
/// <typeparam name="TOut">One text's answer.</typeparam>
public abstract class TextEndpoint<TOut> : TaskEndpoint
{
    private readonly MicroBatcher<string, TOut> _batcher;
    private readonly InFlight _inFlight = new();

    /// <summary>Serves <paramref name="run"/> (one batch of texts → their answers) as model <paramref name="model"/>.</summary>
    protected TextEndpoint(string model, Func<IReadOnlyList<string>, IReadOnlyList<TOut>> run, ServeContext context) : base(model, context)
    {
        ArgumentNullException.ThrowIfNull(run);
        var o = context.Options;
        // The model is only predicted with (Model.Predict is safe on many threads): batches may run
        // at once, each on its own thread (see ServeOptions.ConcurrentBatches).
        _batcher = new MicroBatcher<string, TOut>(o.ConcurrentBatches > 1 ? texts => RecurSettings.OnCallingThread(() => run(texts)) : run, o.BatchWindow, o.MaxBatch, o.MaxQueue, () => _inFlight.Count, b => context.Metrics.Batch(model, b),
            o.ConcurrentBatches);
        context.Metrics.Queue(model, () => _batcher.Queued);
    }

    /// <inheritdoc/>
    public override Type RequestType => typeof(TextRequest);

    /// <inheritdoc/>
    public override Type ResponseType => typeof(TOut);

    /// <summary>The answer to a <c>texts</c> request.</summary>
    protected abstract object List(IReadOnlyList<TOut> answers);

    /// <summary>Refuses a text the model cannot take (before it joins a batch, so it fails alone); <paramref name="field"/> names it.</summary>
    protected virtual void Check(string text, string field)
    {
    }

    /// <inheritdoc/>
    public override async Task PredictAsync(HttpContext http, JsonRequest request, CancellationToken cancellation)
    {
        var texts = TextRequest.Read(request, Context.Options);
        for (int i = 0; i < texts.All.Count; i++) Check(texts.All[i], texts.Texts is null ? "text" : $"texts[{i}]");
        TOut[] results;
        using (_inFlight.Enter(texts.All.Count))
            results = await System.Threading.Tasks.Task.WhenAll(texts.All.Select(t => _batcher.RunAsync(t, cancellation))).ConfigureAwait(false);
        await WriteJsonAsync(http, texts.Texts is null ? results[0]! : List(results)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync() => _batcher.DisposeAsync();
}
