using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// The element-wise product of inputs of one shape (Keras' <c>Multiply</c>): y = x₁ ⊙ x₂ ⊙ … ;
/// ∂L/∂xᵢ = ∂L/∂y ⊙ Π_{j≠i} xⱼ.
/// </summary>
public sealed class Multiply : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    public Multiply(string? name = null) : base(name) { }

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var y = Infer(inputs);
        SaveForBackward(inputs.Select(x => x.Clone()).ToArray());
        return y;
    }

    /// <inheritdoc/>
    protected override void Combine(Span<float> accumulated, ReadOnlySpan<float> x)
    {
        for (int k = 0; k < accumulated.Length; k++) accumulated[k] *= x[k];
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
