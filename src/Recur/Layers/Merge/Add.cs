using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// The element-wise sum of inputs of one shape (Keras' <c>Add</c>): y = x₁ + x₂ + … ;
/// ∂L/∂xᵢ = ∂L/∂y for every input.
/// </summary>
public sealed class Add : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    public Add(string? name = null) : base(name) { }

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var y = Infer(inputs);
        SaveForBackward(new Box<int>(inputs.Count));
        return y;
    }

    /// <inheritdoc/>
    protected override void Combine(Span<float> accumulated, ReadOnlySpan<float> x)
    {
        for (int k = 0; k < accumulated.Length; k++) accumulated[k] += x[k];
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
