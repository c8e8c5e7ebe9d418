using Recur.Models;

namespace Recur.Layers;

/// <summary>
/// A layer of several inputs that combines them into one (Keras' merge layers). Apply it with
/// <see cref="Apply(SymbolicTensor[])"/> in a <see cref="Functional"/> model; each forward call
/// keeps its own cache, as every layer does.
/// </summary>
/// <remarks>
/// Masks: the output mask is the logical AND of the inputs' masks (a step is real where every
/// input that has a mask says so), or null when no input has one.
/// </remarks>
public abstract class MergeLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    protected MergeLayer(string? name) : base(name) { }

    /// <summary>Applies the layer to two or more symbolic tensors.</summary>
    /// <exception cref="ArgumentException">Fewer than two inputs, or shapes the layer cannot combine (the message names the layer and the shapes).</exception>
    public SymbolicTensor Apply(params SymbolicTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length < 2)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) merges at least 2 inputs; got {inputs.Length}.", nameof(inputs));
        foreach (var t in inputs) ArgumentNullException.ThrowIfNull(t, nameof(inputs));
        return ApplyTo(inputs, nameof(inputs));
    }

    /// <summary>The per-sample output shape for the inputs' per-sample shapes.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be combined.</exception>
    public abstract int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes);

    /// <summary>Combines a batch of each input; the cache of the call is kept for <see cref="BackwardInputs"/>.</summary>
    public abstract Tensor Forward(IReadOnlyList<Tensor> inputs, bool training = false);

    /// <summary>Combines for inference, keeping no cache (safe from many threads at once).</summary>
    public abstract Tensor Infer(IReadOnlyList<Tensor> inputs);

    /// <summary>Back-propagates the latest pending call: the gradient with respect to each input.</summary>
    public abstract Tensor[] BackwardInputs(Tensor gradOutput);

    /// <summary>The output mask: the AND of the inputs' masks.</summary>
    public virtual SequenceMask? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<SequenceMask?> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        SequenceMask? result = null;
        foreach (var m in masks)
        {
            if (m is null) continue;
            if (result is null) { result = m; continue; }
            m.RequireShape(result.Batch, result.Steps, nameof(masks));
            var flags = new bool[result.Batch * result.Steps];
            for (int i = 0; i < flags.Length; i++) flags[i] = result.Flags[i] && m.Flags[i];
            result = new SequenceMask(flags, result.Batch, result.Steps);
        }
        return result;
    }

    /// <summary>Not available: a merge layer has several inputs.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public sealed override int[] ComputeOutputShape(int[] inputShape) => throw SeveralInputs();

    /// <summary>Not available: a merge layer has several inputs.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public sealed override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => throw SeveralInputs();

    /// <summary>Not available: a merge layer has several inputs.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public sealed override Tensor Backward(Tensor gradOutput) => throw SeveralInputs();

    internal override bool TakesSeveralInputs => true;

    internal override int[] OutputShapeOf(int[][] inputShapes) => ComputeOutputShape(inputShapes);

    internal override void BuildFor(int[][] inputShapes, SeededRandom? random)
    {
        ComputeOutputShape(inputShapes);
        Build(inputShapes[0], random);
    }

    internal override Tensor ForwardCall(Tensor[] inputs, SequenceMask?[] masks, bool training) => Forward(inputs, training);

    internal override Tensor InferCall(Tensor[] inputs, SequenceMask?[] masks) => Infer(inputs);

    internal override SequenceMask? MaskCall(Tensor[] inputs, SequenceMask?[] masks) => ComputeMask(inputs, masks);

    internal override Tensor?[] BackwardCall(Tensor gradOutput, bool[] inputGradients) => BackwardInputs(gradOutput);

    /// <summary>Checks a batch of inputs: at least two, the same batch size, ranks ≥ 2.</summary>
    protected void RequireInputs(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count < 2) throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) merges at least 2 inputs; got {inputs.Count}.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], nameof(inputs));
            if (inputs[i].Rank < 2 || inputs[i].Size(0) != inputs[0].Size(0))
                throw new ArgumentException(
                    $"Layer '{Name}': input {i} has shape {Tensor.ShapeString(inputs[i].Shape)}; expected (batch = {inputs[0].Size(0)}, …) like input 0.", nameof(inputs));
        }
        if (!IsBuilt) Build(inputs[0].ShapeArray[1..]);
    }

    /// <summary>Shapes equal axis by axis (a free axis, −1, matches any length); <paramref name="skipAxis"/> is not compared.</summary>
    private protected void RequireMatchingShapes(IReadOnlyList<int[]> shapes, int skipAxis = int.MinValue)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Count < 2) throw new ArgumentException($"Layer '{Name}' merges at least 2 inputs; got {shapes.Count}.", nameof(shapes));
        var first = shapes[0];
        foreach (var s in shapes)
        {
            bool ok = s.Length == first.Length;
            for (int d = 0; ok && d < s.Length; d++)
                ok = d == skipAxis || s[d] == -1 || first[d] == -1 || s[d] == first[d];
            if (!ok)
                throw new ArgumentException(
                    $"Layer '{Name}' ({GetType().Name}) needs inputs of one shape{(skipAxis >= 0 ? " except the concatenated axis" : "")}; got {Layer.DescribeShapes(shapes.ToArray())}.",
                    "inputShapes");
        }
    }

    private NotSupportedException SeveralInputs()
        => new($"Layer '{Name}' ({GetType().Name}) merges several inputs: apply it with Apply(a, b, …) in a Functional model, or call Forward(inputs).");
}
