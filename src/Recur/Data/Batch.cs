using Recur.Layers;

namespace Recur.Data;

/// <summary>
/// One mini-batch as a <see cref="IBatchSource"/> yields it: inputs (B, …), targets (B, …), and
/// optionally the (B, T) mask of real steps and (B) or (B, T) sample weights.
/// </summary>
/// <remarks>
/// <see cref="ResetStates"/> marks the first chunk of a new stream: a stateful model forgets its
/// carried recurrent states before training on it (truncated BPTT, see <see cref="TokenStream"/>).
/// Batches are validated when they are used (shapes, finite values), as <c>Fit</c> validates tensors.
/// </remarks>
public sealed class Batch
{
    /// <summary>Creates a batch; the tensors are not copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    public Batch(Tensor x, Tensor y, SequenceMask? mask = null, Tensor? sampleWeight = null, bool resetStates = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        X = x;
        Y = y;
        Mask = mask;
        SampleWeight = sampleWeight;
        ResetStates = resetStates;
    }

    /// <summary>(B, …) inputs: (B, T, F) features or (B, T) token ids.</summary>
    public Tensor X { get; }

    /// <summary>(B, …) targets as the loss expects them.</summary>
    public Tensor Y { get; }

    /// <summary>(B, T) real steps of padded inputs, or null.</summary>
    public SequenceMask? Mask { get; }

    /// <summary>(B) or (B, T) weights, or null.</summary>
    public Tensor? SampleWeight { get; }

    /// <summary>True on the first chunk of a stream: a stateful model resets its carried states first.</summary>
    public bool ResetStates { get; }

    /// <summary>Samples in the batch (B).</summary>
    public int Count => X.Rank == 0 ? 0 : X.Size(0);
}
