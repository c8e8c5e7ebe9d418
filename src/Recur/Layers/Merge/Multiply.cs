using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// The element-wise product of inputs of one shape (Keras' <c>Multiply</c>): y = x₁ ⊙ x₂ ⊙ … ;
/// ∂L/∂xᵢ = ∂L/∂y ⊙ Π_{j≠i} xⱼ.
/// </summary>
public sealed class Multiply : MergeLayer
{
    /// <summary>Creates the layer.</summary>
    public Multiply(string? name = null) : base(name) { }

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
        SaveForBackward(inputs.Select(x => x.Clone()).ToArray());
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
            var p = y.Span;
            for (int k = 0; k < p.Length; k++) p[k] *= x[k];
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor[] BackwardInputs(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var inputs = TakeForBackward<Tensor[]>(xs => Tensor.RequireShape(gradOutput, xs[0].ShapeArray, nameof(gradOutput)));
        var grads = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            // ∂L/∂xᵢ = dy ⊙ Π_{j≠i} xⱼ, multiplied in input order (no division: exact with zeros).
            var g = gradOutput.Clone();
            var s = g.Span;
            for (int j = 0; j < inputs.Length; j++)
            {
                if (j == i) continue;
                var x = inputs[j].Span;
                for (int k = 0; k < s.Length; k++) s[k] *= x[k];
            }
            grads[i] = g;
        }
        return grads;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();

    internal static Multiply FromConfig(LayerConfig c) => new(c.LayerName);
}
