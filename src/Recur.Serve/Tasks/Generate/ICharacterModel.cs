using Recur.Serve.Inference;

namespace Recur.Serve.Tasks.Generate;

/// <summary>
/// The predictor a character language model offers the server: its alphabet, stepping with
/// states held per stream (so concurrent generations share one batched forward pass) and the
/// draw of the next character, the same one <c>recur charlm sample</c> makes.
/// </summary>
public interface ICharacterModel
{
    /// <summary>The characters; character i has id i.</summary>
    string Alphabet { get; }

    /// <summary>The zero state of a new stream.</summary>
    RecurrentStates NewState();

    /// <summary>Feeds each row's ids to its stream; returns the logits (V) of the character after each row's last id (one batch, one thread at a time).</summary>
    IReadOnlyList<float[]> Advance(IReadOnlyList<(RecurrentStates State, int[] Ids)> rows);

    /// <summary>Draws the next character id from <paramref name="logits"/> (temperature, top-k) with the generation's own random stream.</summary>
    int Draw(ReadOnlySpan<float> logits, double temperature, int topK, SeededRandom random);
}
