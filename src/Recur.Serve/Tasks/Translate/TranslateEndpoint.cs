using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;
using Recur.Serve.Batching;
using Recur.Serve.Models;

namespace Recur.Serve.Tasks.Translate;

/// <summary>
/// <c>translate</c>: <c>{"text": "...", "beam": k}</c> → <c>{"output", "best": [{"output",
/// "score"}], "unknown_tokens", "unknown": [...]}</c>, or <c>{"texts": [...]}</c> → <c>{"predictions": [...]}</c>.
/// Every text is one micro-batch item; a batch decodes the texts of each beam width together.
/// </summary>
public sealed class TranslateEndpoint : TaskEndpoint
{
    private readonly ITextTranslator _translator;
    private readonly MicroBatcher<(string Text, int Beam), Translation> _batcher;
    private readonly InFlight _inFlight = new();

    /// <summary>Serves <paramref name="translator"/> as model <paramref name="model"/>.</summary>
    public TranslateEndpoint(string model, ITextTranslator translator, ServeContext context) : base(model, context)
    {
        _translator = translator ?? throw new ArgumentNullException(nameof(translator));
        var o = context.Options;
        // Decoding only predicts (inference is safe on many threads): batches may run at once.
        _batcher = new MicroBatcher<(string Text, int Beam), Translation>(Run, o.BatchWindow, o.MaxBatch, o.MaxQueue, () => _inFlight.Count,
            b => context.Metrics.Batch(model, b), o.ConcurrentBatches);
        context.Metrics.Queue(model, () => _batcher.Queued);
    }

    /// <inheritdoc/>
    public override string Task => "translate";

    /// <inheritdoc/>
    public override Type RequestType => typeof(TranslateRequest);

    /// <inheritdoc/>
    public override Type ResponseType => typeof(Translation);

    /// <summary>One batch: the items of each beam width decoded together, answered in item order.</summary>
    private IReadOnlyList<Translation> Run(IReadOnlyList<(string Text, int Beam)> items)
    {
        var answers = new Translation[items.Count];
        foreach (var group in Enumerable.Range(0, items.Count).GroupBy(i => items[i].Beam))
        {
            var rows = group.ToArray();
            var translated = _translator.Translate(rows.Select(i => items[i].Text).ToArray(), group.Key);
            for (int j = 0; j < rows.Length; j++) answers[rows[j]] = translated[j];
        }
        return answers;
    }

    /// <inheritdoc/>
    public override async Task PredictAsync(HttpContext http, JsonRequest request, CancellationToken cancellation)
    {
        var texts = TextRequest.Read(request, Context.Options, "beam");
        int beam = (int)(request.Whole("beam", 1, _translator.MaxBeam) ?? 1);
        for (int i = 0; i < texts.All.Count; i++)
            if (_translator.Problem(texts.All[i]) is { } problem)
                throw RequestException.Invalid(texts.Texts is null ? "text" : $"texts[{i}]", problem);
        Translation[] results;
        using (_inFlight.Enter(texts.All.Count))
            results = await System.Threading.Tasks.Task.WhenAll(texts.All.Select(t => _batcher.RunAsync((t, beam), cancellation))).ConfigureAwait(false);
        await WriteJsonAsync(http, texts.Texts is null ? results[0] : new TranslationList(results)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync() => _batcher.DisposeAsync();
}
