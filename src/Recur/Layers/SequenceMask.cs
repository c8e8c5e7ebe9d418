namespace Recur.Layers;

/// <summary>
/// Which steps of a padded batch are real: <c>mask[b, t]</c> is true for a real step of
/// sequence b. Shape (B, T). A masked step leaves a recurrent state unchanged, outputs zeros,
/// receives no gradient and is left out of per-step losses.
/// </summary>
public sealed class SequenceMask
{
    private readonly bool[] _valid; // (B, T)

    /// <summary>Wraps a (B, T) array of flags, row-major (copied).</summary>
    public SequenceMask(bool[] valid, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(valid);
        if (batch < 0 || steps < 0)
            throw new ArgumentException($"Mask dimensions must be non-negative; got ({batch}, {steps}).");
        if (valid.Length != (long)batch * steps)
            throw new ArgumentException($"Mask of shape ({batch}, {steps}) needs {batch * steps} flags; got {valid.Length}.", nameof(valid));
        _valid = (bool[])valid.Clone();
        Batch = batch;
        Steps = steps;
    }

    /// <summary>Number of sequences.</summary>
    public int Batch { get; }

    /// <summary>Number of (padded) time steps.</summary>
    public int Steps { get; }

    /// <summary>True when step <paramref name="t"/> of sequence <paramref name="b"/> is real.</summary>
    public bool this[int b, int t] => _valid[b * Steps + t];

    /// <summary>The flags as a read-only (B, T) span.</summary>
    public ReadOnlySpan<bool> Flags => _valid;

    /// <summary>Right-padded sequences: sequence b is real for t &lt; lengths[b].</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative or larger than <paramref name="steps"/>.</exception>
    public static SequenceMask FromLengths(ReadOnlySpan<int> lengths, int steps)
    {
        var valid = new bool[lengths.Length * steps];
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 0 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b],
                    $"lengths[{b}] is {lengths[b]}; expected a value in [0, {steps}].");
            valid.AsSpan(b * steps, lengths[b]).Fill(true);
        }
        return new SequenceMask(valid, lengths.Length, steps);
    }

    /// <summary>A mask from a (B, T) tensor: non-zero entries are real steps.</summary>
    public static SequenceMask FromTensor(Tensor mask)
    {
        Tensor.RequireRank(mask, 2, nameof(mask), "(batch, steps)");
        var valid = new bool[mask.Length];
        for (int i = 0; i < valid.Length; i++) valid[i] = mask.Data[i] != 0f;
        return new SequenceMask(valid, mask.Size(0), mask.Size(1));
    }

    /// <summary>The mask as a (B, T) tensor of ones and zeros.</summary>
    public Tensor ToTensor()
    {
        var t = Tensor.Zeros(Batch, Steps);
        for (int i = 0; i < _valid.Length; i++) t.Data[i] = _valid[i] ? 1f : 0f;
        return t;
    }

    /// <summary>Number of real steps in sequence <paramref name="b"/>.</summary>
    public int Length(int b)
    {
        int n = 0;
        for (int t = 0; t < Steps; t++) if (_valid[b * Steps + t]) n++;
        return n;
    }

    /// <summary>Throws unless this mask is (batch, steps).</summary>
    public void RequireShape(int batch, int steps, string argumentName)
    {
        if (Batch != batch || Steps != steps)
            throw new ArgumentException($"{argumentName} has shape ({Batch}, {Steps}); expected ({batch}, {steps}) to match the input.", argumentName);
    }
}
