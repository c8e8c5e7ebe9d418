using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// A model defined by a graph of layer calls (Keras' functional API, <c>Model(inputs, outputs)</c>):
/// symbolic inputs, layers applied to one or several symbolic tensors, several inputs and
/// outputs, layers applied more than once (shared weights, gradients summed) and merge layers
/// (<see cref="Concatenate"/>, <see cref="Add"/>, <see cref="Multiply"/>). Masks travel along the edges.
/// </summary>
/// <remarks>
/// The model is built when it is created: every layer gets its weights at its first call, in
/// graph order, from its own fork of <c>seed</c> (so a chain of layers gets exactly the weights a
/// <see cref="Sequential"/> of the same layers and seed gets). Training, evaluation, prediction,
/// saving and loading work as for <see cref="Sequential"/>; the inputs and targets of a model of
/// several inputs or outputs are passed as lists in input (output) order.
/// </remarks>
/// <example>
/// <code>
/// var text = Functional.Input([-1], "text");                // token ids (T)
/// var numbers = Functional.Input([4], "numbers");           // 4 numeric features
/// var h = new Lstm(32).Apply(new Embedding(vocab, 16, maskZero: true).Apply(text));
/// var joined = new Concatenate().Apply(h, new Dense(8, Activation.Relu).Apply(numbers));
/// var model = new Functional([text, numbers], [new Dense(1).Apply(joined)], seed: 7);
/// model.Compile(new Adam(1e-3f), Loss.BinaryCrossEntropy(fromLogits: true));
/// model.Fit([textIds, features], [labels], epochs: 5);
/// </code>
/// </example>
public sealed class Functional : Model
{
    /// <summary>A symbolic input of per-sample <paramref name="shape"/> (no batch dimension; −1 marks a free time axis).</summary>
    /// <exception cref="ArgumentException">An empty shape, or an axis that is neither positive nor −1 (only the first axis may be −1).</exception>
    public static SymbolicTensor Input(int[] shape, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0) throw new ArgumentException("shape is empty; expected the per-sample shape, e.g. [-1] for token ids or [-1, 8] for 8 features per step.", nameof(shape));
        for (int d = 0; d < shape.Length; d++)
            if (!(shape[d] > 0 || (shape[d] == -1 && d == 0)))
                throw new ArgumentException($"shape[{d}] is {shape[d]}; expected a positive size{(d == 0 ? " or −1 for a free time axis" : " (only the first axis may be −1)")}.", nameof(shape));
        return new SymbolicTensor(shape, null, string.IsNullOrEmpty(name) ? "input" : name);
    }

    /// <summary>Creates and builds the model that computes <paramref name="outputs"/> from <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">
    /// An input that no output depends on, an output that depends on an input not listed, two
    /// layers with one name, an input listed twice, or a layer that cannot take its input's shape;
    /// the message names the layers or tensors and the shapes.
    /// </exception>
    public Functional(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs, ulong seed = 0, string? name = null)
        : base(seed, string.IsNullOrEmpty(name) ? "functional" : name)
    {
        var graph = new Graph(inputs, outputs, Name);
        Layers = graph.Layers;
        graph.Build(new SeededRandom(seed));
        UseGraph(graph);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Layers { get; }

    private protected override Graph CreateGraph(IReadOnlyList<int[]> inputShapes) => Graph!;
}
