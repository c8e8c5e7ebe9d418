using Recur.Decoding;
using Recur.Models.Seq2Seq;

namespace Recur.Cli.Translation;

/// <summary>
/// Decodes token sequences with trained encoder–decoders: greedy for beam 1, beam search
/// otherwise. Several networks (a seed ensemble) decode as one through
/// <see cref="EnsembleStepModel{TState}"/>: each step takes the mean of their probabilities.
/// </summary>
internal sealed class Translator
{
    private readonly EncoderDecoderStepper[] _steppers;
    private readonly EnsembleStepModel<EncoderDecoderStepper.State>? _ensemble;
    private readonly int _maxLength;

    /// <summary>A translator over <paramref name="networks"/> (one or more, with the vocabularies' sizes).</summary>
    public Translator(IReadOnlyList<EncoderDecoder> networks, TokenVocabulary source, TokenVocabulary target, int maxLength)
    {
        _steppers = networks.Select(n => new EncoderDecoderStepper(n)).ToArray();
        _ensemble = _steppers.Length > 1 ? new EnsembleStepModel<EncoderDecoderStepper.State>(_steppers) : null;
        Source = source;
        Target = target;
        _maxLength = maxLength;
    }

    public TokenVocabulary Source { get; }

    public TokenVocabulary Target { get; }

    /// <summary>The most output tokens of a source of <paramref name="length"/> tokens: 2·length + 10, at most the maximum length.</summary>
    public int LimitFor(int length) => Math.Min(_maxLength, 2 * length + 10);

    /// <summary>The k best outputs of every source (k = 1: greedy), decoded in chunks of similar length.</summary>
    public Hypothesis[][] Translate(IReadOnlyList<string[]> sources, int beam, int chunk = 128) => _ensemble is null
        ? Translate(_steppers[0], _steppers[0].Encode, sources, beam, chunk)
        : Translate(_ensemble, ids => _steppers.Select(s => s.Encode(ids)).ToArray(), sources, beam, chunk);

    private Hypothesis[][] Translate<TState>(IStepModel<TState> model, Func<int[][], TState> encode, IReadOnlyList<string[]> sources, int beam, int chunk)
    {
        var result = new Hypothesis[sources.Count][];
        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ToArray();
        for (int start = 0; start < order.Length; start += chunk)
        {
            var rows = order.AsSpan(start, Math.Min(chunk, order.Length - start)).ToArray();
            var ids = rows.Select(i => Source.Ids(sources[i])).ToArray();
            int limit = LimitFor(ids.Max(x => x.Length));
            var state = encode(ids);
            var decoded = beam == 1
                ? GreedyDecoder.Decode(model, state, EncoderDecoder.Start, EncoderDecoder.End, limit).Select(h => new[] { h }).ToArray()
                : BeamSearch.Decode(model, state, EncoderDecoder.Start, EncoderDecoder.End, new BeamSearchOptions { Width = beam, MaxLength = limit });
            for (int i = 0; i < rows.Length; i++) result[rows[i]] = decoded[i];
        }
        return result;
    }

    /// <summary>
    /// The (output, source) attention weights of <paramref name="output"/> given <paramref name="sourceTokens"/>
    /// in the first network, or null without attention.
    /// </summary>
    public float[,]? Weights(string[] sourceTokens, int[] output)
    {
        var stepper = _steppers[0];
        var state = stepper.Encode([Source.Ids(sourceTokens)]);
        var weights = new float[output.Length + 1, sourceTokens.Length];
        int previous = EncoderDecoder.Start;
        var logp = new float[stepper.VocabularySize];
        for (int i = 0; i <= output.Length; i++)
        {
            var w = stepper.AttentionWeights([previous], state);
            if (w is null) return null;
            for (int j = 0; j < sourceTokens.Length; j++) weights[i, j] = w[0, j];
            state = stepper.Step([previous], state, logp);
            if (i < output.Length) previous = output[i];
        }
        return weights;
    }
}
