using Recur.Models;

namespace Recur.Layers;

public abstract partial class Layer
{
    private int[][]? _firstCallShapes; // the per-sample input shapes of the layer's first symbolic call

    /// <summary>
    /// Applies the layer to a symbolic tensor (Keras' <c>layer(x)</c>) and returns the symbolic
    /// output; nothing is computed. Applying one layer several times shares its weights (their
    /// gradients add up over the calls).
    /// </summary>
    /// <exception cref="ArgumentException">The layer cannot take the input's shape, or (a shared layer) the shape differs from its first call's; the message names the layer and both shapes.</exception>
    public SymbolicTensor Apply(SymbolicTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ApplyTo([input], nameof(input));
    }

    /// <summary>True for a layer that reads several tensors (a merge layer).</summary>
    internal virtual bool TakesSeveralInputs => false;

    internal SymbolicTensor ApplyTo(SymbolicTensor[] inputs, string parameterName)
    {
        var shapes = inputs.Select(t => t.ShapeArray).ToArray();
        CheckSharedCall(shapes, parameterName);
        int[] output;
        try
        {
            output = OutputShapeOf(shapes);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) cannot take input {DescribeShapes(shapes)}: {e.Message}", parameterName, e);
        }
        _firstCallShapes ??= shapes;
        return new Node(this, inputs, output).Output;
    }

    /// <summary>A shared layer takes the shapes of its first call (or of its weights) again; a free axis matches any length.</summary>
    private void CheckSharedCall(int[][] shapes, string parameterName)
    {
        var expected = _firstCallShapes ?? (IsBuilt && !TakesSeveralInputs ? [BuiltInputShape!] : null);
        if (expected is null) return;
        bool ok = expected.Length == shapes.Length;
        for (int i = 0; ok && i < shapes.Length; i++)
        {
            ok = expected[i].Length == shapes[i].Length;
            for (int d = 0; ok && d < shapes[i].Length; d++)
                ok = expected[i][d] == -1 || shapes[i][d] == -1 || expected[i][d] == shapes[i][d];
        }
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) is shared: it takes {DescribeShapes(expected)} (its {(_firstCallShapes is null ? "weights'" : "first call's")} shape) but this call gives {DescribeShapes(shapes)}.",
                parameterName);
    }

    internal static string DescribeShapes(int[][] shapes)
        => string.Join(" and ", shapes.Select(s => $"(batch, {Model.Dims(s)})"));

    /// <summary>The per-sample output shape for the per-sample input shapes of one call.</summary>
    internal virtual int[] OutputShapeOf(int[][] inputShapes) => ComputeOutputShape(inputShapes[0]);

    /// <summary>Builds the weights for one call's per-sample input shapes (a built layer checks them).</summary>
    internal virtual void BuildFor(int[][] inputShapes, SeededRandom? random) => Build(inputShapes[0], random);

    /// <summary>One call in a training (or evaluation) pass; its cache is kept for the backward pass.</summary>
    internal virtual Tensor ForwardCall(Tensor[] inputs, SequenceMask?[] masks, bool training) => Forward(inputs[0], masks[0], training);

    /// <summary>One call for inference only.</summary>
    internal virtual Tensor InferCall(Tensor[] inputs, SequenceMask?[] masks) => Infer(inputs[0], masks[0]);

    /// <summary>The mask of one call's output.</summary>
    internal virtual SequenceMask? MaskCall(Tensor[] inputs, SequenceMask?[] masks) => ComputeMask(inputs[0], masks[0]);

    /// <summary>
    /// Back-propagates the latest pending call: the gradient of each input where
    /// <paramref name="inputGradients"/> asks for it (null elsewhere: data needs none).
    /// </summary>
    internal virtual Tensor?[] BackwardCall(Tensor gradOutput, bool[] inputGradients)
    {
        if (inputGradients[0]) return [Backward(gradOutput)];
        BackwardToParameters(gradOutput);
        return [null];
    }
}
