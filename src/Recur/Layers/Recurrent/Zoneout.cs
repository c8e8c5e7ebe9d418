namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, S the width of h (H, or P when projected), C the width of c (H; 0
// without a cell state).

/// <summary>
/// Zoneout (Krueger et al. 2017) for one direction of one layer in one call: at every step each
/// unit of h (and of an LSTM's c) keeps its previous value with probability p, else takes the
/// cell's new one:
/// <code>
/// h_t = d_t ⊙ h_{t−1} + (1 − d_t) ⊙ h̃_t      d_t ~ Bernoulli(p_h), drawn per step, row and unit
/// c_t = e_t ⊙ c_{t−1} + (1 − e_t) ⊙ c̃_t      e_t ~ Bernoulli(p_c)
/// </code>
/// where h̃_t, c̃_t are the cell's step from (h_{t−1}, c_{t−1}) (for an LSTM h̃_t = o ⊙ tanh c̃_t,
/// from the cell's own c̃_t, as in the paper). In inference the masks are replaced by their
/// expectation, h_t = p_h·h_{t−1} + (1 − p_h)·h̃_t (and likewise c), as the authors' code does.
/// Backward: ∂L/∂h̃_t = ∂L/∂h_t ⊙ (1 − d_t) goes into the cell, and ∂L/∂h_t ⊙ d_t is added to the
/// cell's ∂L/∂h_{t−1} (likewise for c).
/// </summary>
internal sealed class Zoneout
{
    private readonly int _batch, _hidden, _cell;
    private readonly float _hiddenRate, _cellRate;
    private readonly float[]? _hiddenKeep, _cellKeep; // (T, B, S), (T, B, C): 1 where the unit keeps its value; null in inference
    private float[] _dhKeep = [], _dhNew = [], _dcKeep = [], _dcNew = []; // (B, S), (B, S), (B, C), (B, C) backward step buffers

    private Zoneout(int batch, int hidden, int cell, float hiddenRate, float cellRate, float[]? hiddenKeep, float[]? cellKeep)
        => (_batch, _hidden, _cell, _hiddenRate, _cellRate, _hiddenKeep, _cellKeep) = (batch, hidden, cell, hiddenRate, cellRate, hiddenKeep, cellKeep);

    /// <summary>
    /// The zoneout of one pass, or null when both rates are 0 (then nothing is drawn and the
    /// step is the plain cell's). Training draws the masks of every step now (h first, then c).
    /// </summary>
    public static Zoneout? Create(float hiddenRate, float cellRate, bool training, int steps, int batch, int hidden, int cell, SeededRandom random)
    {
        if (hiddenRate == 0f && cellRate == 0f) return null;
        if (cell == 0) cellRate = 0f;
        return new Zoneout(batch, hidden, cell, hiddenRate, cellRate,
            training && hiddenRate > 0f ? Draw(hiddenRate, steps * batch * hidden, random) : null,
            training && cellRate > 0f ? Draw(cellRate, steps * batch * cell, random) : null);
    }

    private static float[] Draw(float rate, int length, SeededRandom random)
    {
        var keep = new float[length];
        for (int k = 0; k < length; k++) keep[k] = random.NextFloat() < rate ? 1f : 0f;
        return keep;
    }

    /// <summary>After the cell's step t on rows [b0, b0 + nb): h (nb, S) and c (nb, C) from h̃, c̃ in place.</summary>
    public void Forward(int t, int b0, int nb, ReadOnlySpan<float> hPrev, Span<float> h, ReadOnlySpan<float> cPrev, Span<float> c)
    {
        if (_hiddenRate > 0f) Mix(_hiddenKeep, _hiddenRate, (t * _batch + b0) * _hidden, hPrev, h);
        if (_cellRate > 0f) Mix(_cellKeep, _cellRate, (t * _batch + b0) * _cell, cPrev, c);
    }

    private static void Mix(float[]? keep, float rate, int offset, ReadOnlySpan<float> previous, Span<float> state)
    {
        if (keep is null)
        {
            for (int k = 0; k < state.Length; k++) state[k] = rate * previous[k] + (1f - rate) * state[k];
            return;
        }
        for (int k = 0; k < state.Length; k++)
            if (keep[offset + k] != 0f) state[k] = previous[k];
    }

    /// <summary>Allocates the backward step buffers (on the calling thread, before the row blocks share them).</summary>
    public void PrepareBackward()
    {
        if (_dhKeep.Length == _batch * _hidden) return;
        (_dhKeep, _dhNew) = (new float[_batch * _hidden], new float[_batch * _hidden]);
        (_dcKeep, _dcNew) = (new float[_batch * _cell], new float[_batch * _cell]);
    }

    /// <summary>
    /// Before the cell's step t back on rows [b0, b0 + nb): splits ∂L/∂h_t (nb, S) and ∂L/∂c_t
    /// (nb, C) into what goes into the cell (<paramref name="dhCell"/>, <paramref name="dcCell"/>
    /// then point to it) and what goes to the previous state (added by <see cref="AddCarried"/>).
    /// Reads <paramref name="dc"/> before the cell may reuse its buffer.
    /// </summary>
    public void Split(int t, int b0, int nb, ReadOnlySpan<float> dh, ReadOnlySpan<float> dc, ref ReadOnlySpan<float> dhCell, ref ReadOnlySpan<float> dcCell)
    {
        var dhNew = _dhNew.AsSpan(b0 * _hidden, nb * _hidden);
        Split(_hiddenKeep, _hiddenRate, (t * _batch + b0) * _hidden, dh, _dhKeep.AsSpan(b0 * _hidden, nb * _hidden), dhNew);
        dhCell = dhNew;
        if (_cell == 0) return;
        var dcNew = _dcNew.AsSpan(b0 * _cell, nb * _cell);
        Split(_cellKeep, _cellRate, (t * _batch + b0) * _cell, dc, _dcKeep.AsSpan(b0 * _cell, nb * _cell), dcNew);
        dcCell = dcNew;
    }

    private static void Split(float[]? keep, float rate, int offset, ReadOnlySpan<float> d, Span<float> dKeep, Span<float> dNew)
    {
        for (int k = 0; k < d.Length; k++)
        {
            float p = keep is null ? rate : keep[offset + k];
            dKeep[k] = d[k] * p;
            dNew[k] = d[k] * (1f - p);
        }
    }

    /// <summary>After the cell's step back: ∂L/∂h_{t−1} += ∂L/∂h_t ⊙ d_t, ∂L/∂c_{t−1} += ∂L/∂c_t ⊙ e_t.</summary>
    public void AddCarried(int b0, int nb, Span<float> dhPrev, Span<float> dcPrev)
    {
        var dhKeep = _dhKeep.AsSpan(b0 * _hidden, nb * _hidden);
        for (int k = 0; k < dhKeep.Length; k++) dhPrev[k] += dhKeep[k];
        if (_cell == 0) return;
        var dcKeep = _dcKeep.AsSpan(b0 * _cell, nb * _cell);
        for (int k = 0; k < dcKeep.Length; k++) dcPrev[k] += dcKeep[k];
    }
}
