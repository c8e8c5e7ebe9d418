using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// One call of a layer in a model's graph (Keras' node): the tensors it reads and the tensor it
/// produces. <see cref="Model.Nodes"/> lists them in the order the model runs them, which is how
/// an exporter walks a model.
/// </summary>
public sealed class Node
{
    internal Node(Layer layer, SymbolicTensor[] inputs, int[] outputShape)
    {
        Layer = layer;
        Inputs = inputs;
        Output = new SymbolicTensor(outputShape, this, layer.Name);
    }

    /// <summary>The layer called (a shared layer is the layer of several nodes).</summary>
    public Layer Layer { get; }

    /// <summary>The tensors the call reads, in the order the layer takes them.</summary>
    public IReadOnlyList<SymbolicTensor> Inputs { get; }

    /// <summary>The tensor the call produces.</summary>
    public SymbolicTensor Output { get; }
}
