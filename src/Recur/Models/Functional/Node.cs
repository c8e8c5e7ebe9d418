using Recur.Layers;

namespace Recur.Models;

/// <summary>One call of a layer in a graph: the tensors it reads and the tensor it produces.</summary>
internal sealed class Node
{
    public Node(Layer layer, SymbolicTensor[] inputs, int[] outputShape)
    {
        Layer = layer;
        Inputs = inputs;
        Output = new SymbolicTensor(outputShape, this, layer.Name);
    }

    public Layer Layer { get; }

    public IReadOnlyList<SymbolicTensor> Inputs { get; }

    public SymbolicTensor Output { get; }
}
