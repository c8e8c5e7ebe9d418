using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// The element-wise sum of inputs of one shape (Keras' <c>Add</c>): y = x₁ + x₂ + … ;
/// ∂L/∂xᵢ = ∂L/∂y for every input.
/// </summary>
public sealed class Add : MergeLayer
{
    /// <summary>Creates the layer.</summary>
    public Add(string? name = null) : base(name) { }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        RequireMatchingShapes(inputShapes);
        return (int[])inputShapes[0].Clone();
    }

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var y = Infer(inputs);
        SaveForBackward(new Box<int>(inputs.Count));
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Infer(IReadOnlyList<Tensor> inputs)
    {
        RequireInputs(inputs);
        var y = inputs[0].Clone();
        for (int i = 1; i < inputs.Count; i++)
        {
            Tensor.RequireShape(inputs[i], inputs[0].ShapeArray, nameof(inputs));
            var x = inputs[i].Span;
            var s = y.Span;
            for (int k = 0; k < s.Length; k++) s[k] += x[k];
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor[] BackwardInputs(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        int count = TakeForBackward<Box<int>>().Value;
        var grads = new Tensor[count];
        for (int i = 0; i < count; i++) grads[i] = gradOutput.Clone();
        return grads;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();

    internal static Add FromConfig(LayerConfig c) => new(c.LayerName);
}
