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
        : this([x ?? throw new ArgumentNullException(nameof(x))], [y ?? throw new ArgumentNullException(nameof(y))], mask, sampleWeight, resetStates)
    {
    }

    /// <summary>Creates a batch for a model of several inputs or outputs (one tensor each, in order); the tensors are not copied.</summary>
    /// <exception cref="ArgumentException">An empty list.</exception>
    public Batch(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, SequenceMask? mask = null, Tensor? sampleWeight = null, bool resetStates = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count == 0) throw new ArgumentException("inputs is empty; expected one tensor per model input.", nameof(inputs));
        if (targets.Count == 0) throw new ArgumentException("targets is empty; expected one tensor per model output.", nameof(targets));
        Inputs = inputs.ToArray();
        Targets = targets.ToArray();
        Mask = mask;
        SampleWeight = sampleWeight;
        ResetStates = resetStates;
    }

    /// <summary>(B, …) inputs (the first, for a model of several): (B, T, F) features or (B, T) token ids.</summary>
    public Tensor X => Inputs[0];

    /// <summary>(B, …) targets as the loss expects them (the first, for a model of several outputs).</summary>
    public Tensor Y => Targets[0];

    /// <summary>One (B, …) tensor per model input.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>One (B, …) tensor per model output.</summary>
    public IReadOnlyList<Tensor> Targets { get; }

    /// <summary>(B, T) real steps of the (first) padded input, or null.</summary>
    public SequenceMask? Mask { get; }

    /// <summary>(B) or (B, T) weights, or null.</summary>
    public Tensor? SampleWeight { get; }

    /// <summary>True on the first chunk of a stream: a stateful model resets its carried states first.</summary>
    public bool ResetStates { get; }

    /// <summary>Samples in the batch (B).</summary>
    public int Count => X.Rank == 0 ? 0 : X.Size(0);
}
