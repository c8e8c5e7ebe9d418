using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// A tensor of a graph under construction (Keras' <c>KerasTensor</c>): a per-sample shape and
/// the layer call that produces it. Create inputs with <see cref="Functional.Input"/>, apply
/// layers to them with <see cref="Layer.Apply(SymbolicTensor)"/> (or a merge layer's
/// <see cref="MergeLayer.Apply(SymbolicTensor[])"/>), and make a model with
/// <see cref="Functional(IReadOnlyList{SymbolicTensor}, IReadOnlyList{SymbolicTensor}, ulong, string?)"/>.
/// </summary>
/// <remarks>A symbolic tensor holds no values; it is immutable, so a graph built from them has no cycle.</remarks>
public sealed class SymbolicTensor
{
    private readonly int[] _shape;

    internal SymbolicTensor(int[] shape, Node? producer, string name)
    {
        _shape = (int[])shape.Clone();
        Producer = producer;
        Name = name;
    }

    /// <summary>The per-sample shape (no batch dimension); −1 marks a free time axis.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The input's name, or the producing layer's name.</summary>
    public string Name { get; }

    /// <summary>The layer that produces this tensor, or null for a model input.</summary>
    public Layer? Layer => Producer?.Layer;

    /// <summary>True for a model input (no layer produces it).</summary>
    public bool IsInput => Producer is null;

    internal Node? Producer { get; }

    internal int[] ShapeArray => (int[])_shape.Clone();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (batch, {Model.Dims(_shape)})";
}
