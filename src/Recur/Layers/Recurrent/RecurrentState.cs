namespace Recur.Layers.Recurrent;

// Shapes: L stacked layers, D directions, B batch, H hidden units.

/// <summary>
/// The state of a recurrent layer between steps: h (L·D, B, H) and, for an LSTM, c (L·D, B, H),
/// as <c>torch.nn.LSTM</c>'s <c>(h_n, c_n)</c>. A value: the layer never keeps a reference to it.
/// Rows can be picked, reordered and repeated (<see cref="SelectRows"/>): what beam search does
/// with its hypotheses.
/// </summary>
public sealed class RecurrentState
{
    /// <summary>Wraps h and (for an LSTM) c, both (L·D, B, H) (h (L·D, B, P) for a projected LSTM).</summary>
    /// <exception cref="ArgumentException">A tensor is not of rank 3, or c's first two sizes differ from h's.</exception>
    public RecurrentState(Tensor hidden, Tensor? cell = null)
    {
        Tensor.RequireRank(hidden, 3, nameof(hidden), "(layers·directions, batch, units)");
        if (cell is not null) Tensor.RequireShape(cell, [hidden.Size(0), hidden.Size(1), cell.Rank == 3 ? cell.Size(2) : hidden.Size(2)], nameof(cell));
        Hidden = hidden;
        Cell = cell;
    }

    /// <summary>h (L·D, B, H).</summary>
    public Tensor Hidden { get; }

    /// <summary>c (L·D, B, H) for an LSTM, else null.</summary>
    public Tensor? Cell { get; }

    /// <summary>Batch rows B.</summary>
    public int Batch => Hidden.Size(1);

    /// <summary>
    /// A new state whose row i is row <paramref name="rows"/>[i] of this one (rows may repeat:
    /// <c>[0, 0, 0]</c> makes three copies of row 0).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is outside [0, B).</exception>
    public RecurrentState SelectRows(ReadOnlySpan<int> rows)
    {
        foreach (int r in rows)
            if ((uint)r >= (uint)Batch)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the state's batch of {Batch}.");
        return new RecurrentState(Select(Hidden, rows), Cell is null ? null : Select(Cell, rows));
    }

    /// <summary>A deep copy.</summary>
    public RecurrentState Clone() => new(Hidden.Clone(), Cell?.Clone());

    /// <summary>Checks the state against a layer for a batch of <paramref name="batch"/>.</summary>
    internal void RequireShape(RecurrentLayer layer, int batch, string paramName)
    {
        int[] expected = { layer.Options.NumLayers * layer.Directions, batch, layer.StateSize };
        if (!Hidden.Shape.SequenceEqual(expected))
            throw new ArgumentException(
                $"Layer '{layer.Name}' needs a state of shape {Tensor.ShapeString(expected)}; got {Tensor.ShapeString(Hidden.Shape)}.", paramName);
        if (Cell is not null && Cell.Size(2) != layer.Units)
            throw new ArgumentException(
                $"Layer '{layer.Name}' needs a cell state of {layer.Units} units; got {Tensor.ShapeString(Cell.Shape)}.", paramName);
        if (layer.HasCell != (Cell is not null))
            throw new ArgumentException(
                layer.HasCell ? $"Layer '{layer.Name}' is an LSTM: its state needs a cell part (c)." : $"Layer '{layer.Name}' has no cell state; the state's cell part must be null.",
                paramName);
    }

    private static Tensor Select(Tensor t, ReadOnlySpan<int> rows)
    {
        int LD = t.Size(0), B = t.Size(1), H = t.Size(2), R = rows.Length;
        var result = Tensor.Zeros(LD, R, H);
        for (int k = 0; k < LD; k++)
            for (int i = 0; i < R; i++)
                t.Span.Slice((k * B + rows[i]) * H, H).CopyTo(result.Span.Slice((k * R + i) * H, H));
        return result;
    }
}
