namespace Recur.Serve.Tasks.Generate;

/// <summary>
/// The predictor a character language model offers the server: its alphabet, one-character steps
/// with the state held per stream (so concurrent generations share one batched forward pass) and
/// the draw of the next character, the same one <c>recur charlm sample</c> makes.
/// </summary>
public interface ICharacterModel
{
    /// <summary>The characters; character i has id i.</summary>
    string Alphabet { get; }

    /// <summary>The state of a new stream (the start of a text).</summary>
    object NewState();

    /// <summary>
    /// Feeds each row's character to its stream; returns, per row, the stream's new state and the
    /// log-probabilities (V) of the character after it (one batch, one thread at a time).
    /// </summary>
    IReadOnlyList<CharStep> Advance(IReadOnlyList<(object State, int Previous)> rows);

    /// <summary>Draws the next character id from <paramref name="logProbabilities"/> (temperature, top-k; 0 keeps all) with the generation's own random stream.</summary>
    int Draw(ReadOnlySpan<float> logProbabilities, double temperature, int topK, SeededRandom random);
}

/// <summary>One row's step: the stream's new state and the log-probabilities of the next character.</summary>
/// <param name="State">The state after the character was read.</param>
/// <param name="LogProbabilities">(V) log p of each next character.</param>
public sealed record CharStep(object State, float[] LogProbabilities);
