namespace Recur.Decoding;

/// <summary>
/// A model that produces a sequence one token at a time for a batch of rows: given each row's
/// previous token and a state, it gives the log-probabilities of the next token and the state
/// after the step. Greedy decoding, beam search and sampling are written over this alone, so they
/// serve an encoder–decoder (the state holds the decoder's recurrent state and the encoded source)
/// and a language model (the state is its recurrent state) alike.
/// </summary>
/// <typeparam name="TState">The model's state for a batch of rows.</typeparam>
/// <remarks>
/// Shapes: B rows, V the vocabulary size. A state is never changed in place: <see cref="Step"/>
/// and <see cref="SelectRows"/> return new ones, so a decoder may keep an old state.
/// </remarks>
public interface IStepModel<TState>
{
    /// <summary>Number of token ids V; ids are 0 … V − 1.</summary>
    int VocabularySize { get; }

    /// <summary>Number of rows the state holds.</summary>
    int Rows(TState state);

    /// <summary>
    /// One step: <paramref name="previous"/> (B) token ids, <paramref name="state"/> for B rows;
    /// writes log p(next token | everything before) into <paramref name="logProbabilities"/> (B, V),
    /// row-major, and returns the state after the step.
    /// </summary>
    TState Step(ReadOnlySpan<int> previous, TState state, Span<float> logProbabilities);

    /// <summary>
    /// The state whose row i is row <c>rows[i]</c> of <paramref name="state"/> (rows may repeat or be
    /// left out): how beam search repeats each input's state for its k beams and reorders the beams.
    /// </summary>
    TState SelectRows(TState state, ReadOnlySpan<int> rows);
}
