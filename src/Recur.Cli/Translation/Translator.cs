using Recur.Decoding;
using Recur.Models.Seq2Seq;

namespace Recur.Cli.Translation;

/// <summary>
/// Decodes token sequences with trained encoder–decoders: greedy for beam 1, beam search
/// otherwise. Several networks of one direction (a seed ensemble) decode as one through
/// <see cref="EnsembleStepModel{TState}"/>: each step takes the mean of their probabilities.
/// Networks trained on reversed targets (right to left) decode the same way and their outputs are
/// turned around. With networks of both directions, each direction gives its k best outputs; the
/// pooled candidates are scored by both (<see cref="SequenceScorer"/>) and ranked by the mean of the
/// two directions' log-probabilities per token (end token included).
/// </summary>
internal sealed class Translator
{
    private readonly Direction? _leftToRight, _rightToLeft;
    private readonly EncoderDecoderStepper _first;
    private readonly bool _firstReversed;
    private readonly int _maxLength;

    /// <summary>
    /// A translator over <paramref name="networks"/> (one or more, with the vocabularies' sizes), the
    /// last <paramref name="rightToLeft"/> of them trained on reversed targets.
    /// </summary>
    public Translator(IReadOnlyList<EncoderDecoder> networks, TokenVocabulary source, TokenVocabulary target, int maxLength, int rightToLeft = 0)
    {
        if (networks.Count == 0) throw new ArgumentException("A translator needs at least one network.", nameof(networks));
        if (rightToLeft < 0 || rightToLeft > networks.Count)
            throw new ArgumentOutOfRangeException(nameof(rightToLeft), rightToLeft, $"Expected 0 … {networks.Count} right-to-left networks.");
        var steppers = networks.Select(n => new EncoderDecoderStepper(n)).ToArray();
        int leftToRight = steppers.Length - rightToLeft;
        _leftToRight = leftToRight > 0 ? Direction.Of(steppers[..leftToRight], reversed: false) : null;
        _rightToLeft = rightToLeft > 0 ? Direction.Of(steppers[leftToRight..], reversed: true) : null;
        (_first, _firstReversed) = (steppers[0], leftToRight == 0);
        Source = source;
        Target = target;
        _maxLength = maxLength;
    }

    public TokenVocabulary Source { get; }

    public TokenVocabulary Target { get; }

    /// <summary>The most output tokens of a source of <paramref name="length"/> tokens: 2·length + 10, at most the maximum length.</summary>
    public int LimitFor(int length) => Math.Min(_maxLength, 2 * length + 10);

    /// <summary>The k best outputs of every source (k = 1: greedy), decoded in chunks of similar length.</summary>
    public Hypothesis[][] Translate(IReadOnlyList<string[]> sources, int beam, int chunk = 128)
    {
        var result = new Hypothesis[sources.Count][];
        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ToArray();
        for (int start = 0; start < order.Length; start += chunk)
        {
            var rows = order.AsSpan(start, Math.Min(chunk, order.Length - start)).ToArray();
            var ids = rows.Select(i => Source.Ids(sources[i])).ToArray();
            int limit = LimitFor(ids.Max(x => x.Length));
            var only = _leftToRight ?? _rightToLeft!;
            var decoded = _leftToRight is null || _rightToLeft is null ? only.Decode(only.Encode(ids), beam, limit) : BothWays(ids, beam, limit);
            for (int i = 0; i < rows.Length; i++) result[rows[i]] = decoded[i];
        }
        return result;
    }

    /// <summary>
    /// Each direction's k best outputs pooled per input and ranked by
    /// (log p→(y) + log p←(reverse y)) / (2 (|y| + 1)); the hypothesis' log-probability is the mean of the two.
    /// </summary>
    private Hypothesis[][] BothWays(int[][] ids, int beam, int limit)
    {
        var (forward, backward) = (_leftToRight!, _rightToLeft!);
        var (forwardState, backwardState) = (forward.Encode(ids), backward.Encode(ids));
        var fromForward = forward.Decode(forwardState, beam, limit);
        var fromBackward = backward.Decode(backwardState, beam, limit);
        var inputOf = new List<int>();
        var candidates = new List<Hypothesis>();
        for (int b = 0; b < ids.Length; b++)
            foreach (var h in fromForward[b].Concat(fromBackward[b]).DistinctBy(h => string.Join(' ', h.Tokens)))
            {
                inputOf.Add(b);
                candidates.Add(h);
            }
        var rows = inputOf.ToArray();
        var tokens = candidates.Select(h => h.Tokens).ToList();
        var forwardScores = forward.Score(forwardState, rows, tokens);
        var backwardScores = backward.Score(backwardState, rows, tokens);
        var result = new Hypothesis[ids.Length][];
        for (int b = 0; b < ids.Length; b++)
            result[b] = Enumerable.Range(0, rows.Length).Where(i => rows[i] == b)
                .Select(i =>
                {
                    double logp = (forwardScores[i] + backwardScores[i]) / 2;
                    return new Hypothesis(tokens[i], logp, logp / (tokens[i].Length + 1), candidates[i].Finished);
                })
                .OrderByDescending(h => h.Score).Take(beam).ToArray();
        return result;
    }

    /// <summary>
    /// The (output, source) attention weights of <paramref name="output"/> given <paramref name="sourceTokens"/>
    /// in the first network (in output order also for a right-to-left network), or null without attention.
    /// </summary>
    public float[,]? Weights(string[] sourceTokens, int[] output)
    {
        var stepper = _first;
        var state = stepper.Encode([Source.Ids(sourceTokens)]);
        var fed = _firstReversed ? Reversed(output) : output;
        var weights = new float[output.Length + 1, sourceTokens.Length];
        int previous = EncoderDecoder.Start;
        var logp = new float[stepper.VocabularySize];
        for (int i = 0; i <= fed.Length; i++)
        {
            var w = stepper.AttentionWeights([previous], state);
            if (w is null) return null;
            // Row i of a reversed network attends for output token n − 1 − i; its end token stays last.
            int row = _firstReversed && i < fed.Length ? fed.Length - 1 - i : i;
            for (int j = 0; j < sourceTokens.Length; j++) weights[row, j] = w[0, j];
            state = stepper.Step([previous], state, logp);
            if (i < fed.Length) previous = fed[i];
        }
        return weights;
    }

    /// <summary>A reversed copy of <paramref name="tokens"/>.</summary>
    internal static int[] Reversed(int[] tokens)
    {
        var copy = (int[])tokens.Clone();
        Array.Reverse(copy);
        return copy;
    }

    /// <summary>The networks of one direction, decoding as one; a reversed direction's outputs are turned around.</summary>
    private abstract class Direction
    {
        public static Direction Of(EncoderDecoderStepper[] steppers, bool reversed) => steppers.Length == 1
            ? new Direction<EncoderDecoderStepper.State>(steppers[0], steppers[0].Encode, reversed)
            : new Direction<EncoderDecoderStepper.State[]>(new EnsembleStepModel<EncoderDecoderStepper.State>(steppers), ids => steppers.Select(s => s.Encode(ids)).ToArray(), reversed);

        /// <summary>The encoded sources: the state before the first output token.</summary>
        public abstract object Encode(int[][] ids);

        /// <summary>The k best outputs of every encoded source, in reading order.</summary>
        public abstract Hypothesis[][] Decode(object state, int beam, int limit);

        /// <summary>log p(output, end) of every output (in reading order) given the source of row <c>inputOf[i]</c>.</summary>
        public abstract double[] Score(object state, int[] inputOf, IReadOnlyList<int[]> outputs);
    }

    private sealed class Direction<TState>(IStepModel<TState> model, Func<int[][], TState> encode, bool reversed) : Direction
    {
        public override object Encode(int[][] ids) => encode(ids)!;

        public override Hypothesis[][] Decode(object state, int beam, int limit)
        {
            var initial = (TState)state;
            var decoded = beam == 1
                ? GreedyDecoder.Decode(model, initial, EncoderDecoder.Start, EncoderDecoder.End, limit).Select(h => new[] { h }).ToArray()
                : BeamSearch.Decode(model, initial, EncoderDecoder.Start, EncoderDecoder.End, new BeamSearchOptions { Width = beam, MaxLength = limit });
            return reversed ? decoded.Select(list => list.Select(h => h with { Tokens = Reversed(h.Tokens) }).ToArray()).ToArray() : decoded;
        }

        public override double[] Score(object state, int[] inputOf, IReadOnlyList<int[]> outputs) =>
            SequenceScorer.LogProbabilities(model, model.SelectRows((TState)state, inputOf),
                reversed ? outputs.Select(Reversed).ToList() : outputs, EncoderDecoder.Start, EncoderDecoder.End);
    }
}
