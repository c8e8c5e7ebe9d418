namespace Recur.Layers;

/// <summary>
/// A merge of inputs of one shape element by element (<see cref="Add"/>, <see cref="Multiply"/>):
/// the output has the inputs' shape and is x₁ ∘ x₂ ∘ … for the subclass's operation.
/// </summary>
public abstract class ElementwiseMerge : MergeLayer
{
    /// <summary>Creates the layer.</summary>
    protected ElementwiseMerge(string? name) : base(name) { }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        RequireMatchingShapes(inputShapes);
        return (int[])inputShapes[0].Clone();
    }

    /// <inheritdoc/>
    public override Tensor Infer(IReadOnlyList<Tensor> inputs)
    {
        RequireInputs(inputs);
        var y = inputs[0].Clone();
        for (int i = 1; i < inputs.Count; i++)
        {
            Tensor.RequireShape(inputs[i], inputs[0].ShapeArray, nameof(inputs));
            Combine(y.Span, inputs[i].Span);
        }
        return y;
    }

    /// <summary>accumulated ← accumulated ∘ x, element by element.</summary>
    protected abstract void Combine(Span<float> accumulated, ReadOnlySpan<float> x);
}
