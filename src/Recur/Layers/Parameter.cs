namespace Recur.Layers;

/// <summary>
/// A trainable tensor and its gradient, named as PyTorch's <c>state_dict</c> would name it
/// (for example <c>weight_ih_l0</c>). Backward passes accumulate into <see cref="Grad"/>.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter; the gradient starts at zero with the same shape.</summary>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Grad = Tensor.Zeros(value.ShapeArray);
    }

    /// <summary>The name inside its layer.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient of the loss with respect to <see cref="Value"/>.</summary>
    public Tensor Grad { get; }

    /// <summary>When false, optimizers leave this parameter unchanged.</summary>
    public bool Trainable { get; set; } = true;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGrad() => Grad.Clear();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Tensor.ShapeString(Value.Shape)}";
}
