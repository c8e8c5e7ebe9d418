using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// A plain stack of layers, each feeding the next. Masks (from an <see cref="Embedding"/> with
/// <c>maskZero</c>, a <see cref="Masking"/> layer, or passed to <c>Fit</c>) travel with the
/// activations through every layer to the loss.
/// </summary>
/// <example>
/// <code>
/// var model = new Sequential(
///     new Embedding(vocabSize, 64, maskZero: true),
///     new Bidirectional(new Lstm(64)),
///     new Dense(1));
/// model.Compile(new Adam(1e-3f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
/// var history = model.Fit(x, y, epochs: 5, batchSize: 32, validationSplit: 0.1);
/// </code>
/// </example>
public sealed class Sequential : Model
{
    private readonly List<Layer> _layers = new();

    /// <summary>Creates a stack of <paramref name="layers"/> with seed 0.</summary>
    public Sequential(params Layer[] layers) : this(0UL, null, layers) { }

    /// <summary>Creates a stack of <paramref name="layers"/> whose weights and shuffling derive from <paramref name="seed"/>.</summary>
    public Sequential(ulong seed, params Layer[] layers) : this(seed, null, layers) { }

    /// <summary>Creates a named stack of <paramref name="layers"/> with the given seed.</summary>
    public Sequential(ulong seed, string? name, params Layer[] layers) : base(seed, name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Add(layer);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Appends a layer (before the model is built). Duplicate names get a numeric suffix, as in Keras.</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_layers.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in the model.", nameof(layer));
        LayersChanged();
        string baseName = layer.Name;
        for (int k = 1; _layers.Any(l => l.Name == layer.Name); k++) layer.Name = $"{baseName}_{k}";
        _layers.Add(layer);
    }

    /// <summary>
    /// Builds the layers in order for the first input's shape (each from its own fork of the
    /// model's seed) and makes them one chain of the functional machinery.
    /// </summary>
    private protected override Graph CreateGraph(IReadOnlyList<int[]> inputShapes)
    {
        if (_layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (inputShapes.Count != 1) throw new ArgumentException($"A Sequential model takes 1 input; got {inputShapes.Count}.", "x");
        var random = new SeededRandom(Seed);
        var shape = inputShapes[0];
        foreach (var layer in _layers)
        {
            try
            {
                layer.Build(shape, random.Fork());
                shape = layer.ComputeOutputShape(shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}) cannot take input (batch, {Dims(shape)}): {e.Message}", "x", e);
            }
        }
        var input = Functional.Input(_layers[0].BuiltInputShape!, "input");
        var x = input;
        foreach (var layer in _layers) x = layer.Apply(x);
        return new Graph([input], [x], Name);
    }
}
