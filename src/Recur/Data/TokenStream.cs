namespace Recur.Data;

/// <summary>
/// A token stream for a stateful language model trained by truncated BPTT: the stream is cut into
/// <c>rows</c> contiguous tracks (row b holds tokens [b·L, (b+1)·L]), read <c>steps</c> tokens at a
/// time. Batch c is x (rows, T) = tokens [c·steps, c·steps + T) of every track and y (rows, T) the
/// tokens one later. Consecutive batches continue each row, so with <c>Model.Stateful</c> the
/// state is carried from chunk to chunk (the gradient stops at chunk edges). The first batch of
/// every epoch (one pass) has <see cref="Batch.ResetStates"/> set: each pass starts from zeros.
/// </summary>
public sealed class TokenStream : IBatchSource
{
    private readonly int[] _tokens;
    private readonly int _rows, _steps, _length;

    /// <summary>Creates the stream.</summary>
    /// <param name="tokens">The token ids (copied).</param>
    /// <param name="rows">Tracks read side by side (the batch size).</param>
    /// <param name="steps">Tokens per chunk (T).</param>
    /// <param name="dropRemainder">Leave out the last, shorter chunk (training); false keeps it (evaluation covers every token).</param>
    /// <exception cref="ArgumentException">The stream is too short for one chunk of every track.</exception>
    public TokenStream(ReadOnlySpan<int> tokens, int rows, int steps, bool dropRemainder = true)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        _length = (tokens.Length - 1) / rows; // predictions per track
        if (_length < (dropRemainder ? steps : 1))
            throw new ArgumentException($"tokens has {tokens.Length} tokens: too few for {rows} tracks of {(dropRemainder ? steps : 1)} predictions.", nameof(tokens));
        _tokens = tokens.ToArray();
        _rows = rows;
        _steps = steps;
        DropRemainder = dropRemainder;
    }

    /// <summary>Whether the last, shorter chunk of a pass is left out.</summary>
    public bool DropRemainder { get; }

    /// <summary>Predictions per track (L).</summary>
    public int TrackLength => _length;

    /// <inheritdoc/>
    public int? Count => DropRemainder ? _length / _steps : (_length + _steps - 1) / _steps;

    /// <inheritdoc/>
    public IEnumerable<Batch> GetBatches(int epoch)
    {
        int count = Count!.Value;
        for (int c = 0; c < count; c++) yield return Chunk(c);
    }

    /// <summary>Chunk <paramref name="c"/> of a pass.</summary>
    private Batch Chunk(int c)
    {
        int start = c * _steps, T = Math.Min(_steps, _length - start);
        var x = Tensor.Zeros(_rows, T); // (rows, T)
        var y = Tensor.Zeros(_rows, T); // (rows, T)
        var xs = x.Span;
        var ys = y.Span;
        for (int b = 0; b < _rows; b++)
            for (int t = 0; t < T; t++)
            {
                int i = b * _length + start + t;
                xs[b * T + t] = _tokens[i];
                ys[b * T + t] = _tokens[i + 1];
            }
        return new Batch(x, y, resetStates: c == 0);
    }
}
