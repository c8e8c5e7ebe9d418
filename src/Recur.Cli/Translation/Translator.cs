using Recur.Decoding;
using Recur.Models.Seq2Seq;

namespace Recur.Cli.Translation;

/// <summary>Decodes token sequences with a trained encoder–decoder: greedy for beam 1, beam search otherwise.</summary>
internal sealed class Translator(EncoderDecoder network, TokenVocabulary source, TokenVocabulary target, int maxLength)
{
    private readonly EncoderDecoderStepper _stepper = new(network);

    public TokenVocabulary Source => source;

    public TokenVocabulary Target => target;

    /// <summary>The most output tokens of a source of <paramref name="length"/> tokens: 2·length + 10, at most the maximum length.</summary>
    public int LimitFor(int length) => Math.Min(maxLength, 2 * length + 10);

    /// <summary>The k best outputs of every source (k = 1: greedy), decoded in chunks of similar length.</summary>
    public Hypothesis[][] Translate(IReadOnlyList<string[]> sources, int beam, int chunk = 128)
    {
        var result = new Hypothesis[sources.Count][];
        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ToArray();
        for (int start = 0; start < order.Length; start += chunk)
        {
            var rows = order.AsSpan(start, Math.Min(chunk, order.Length - start)).ToArray();
            var ids = rows.Select(i => source.Ids(sources[i])).ToArray();
            int limit = LimitFor(ids.Max(x => x.Length));
            var state = _stepper.Encode(ids);
            var decoded = beam == 1
                ? GreedyDecoder.Decode(_stepper, state, EncoderDecoder.Start, EncoderDecoder.End, limit).Select(h => new[] { h }).ToArray()
                : BeamSearch.Decode(_stepper, state, EncoderDecoder.Start, EncoderDecoder.End, new BeamSearchOptions { Width = beam, MaxLength = limit });
            for (int i = 0; i < rows.Length; i++) result[rows[i]] = decoded[i];
        }
        return result;
    }

    /// <summary>The (output, source) attention weights of <paramref name="output"/> given <paramref name="sourceTokens"/>, or null without attention.</summary>
    public float[,]? Weights(string[] sourceTokens, int[] output)
    {
        var state = _stepper.Encode([source.Ids(sourceTokens)]);
        var weights = new float[output.Length + 1, sourceTokens.Length];
        int previous = EncoderDecoder.Start;
        var logp = new float[_stepper.VocabularySize];
        for (int i = 0; i <= output.Length; i++)
        {
            var w = _stepper.AttentionWeights([previous], state);
            if (w is null) return null;
            for (int j = 0; j < sourceTokens.Length; j++) weights[i, j] = w[0, j];
            state = _stepper.Step([previous], state, logp);
            if (i < output.Length) previous = output[i];
        }
        return weights;
    }
}
