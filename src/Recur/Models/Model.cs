using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Models;

/// <summary>
/// A trainable network: build, compile, fit, evaluate, predict, save and load.
/// Shapes are batch-first; per-sample shapes exclude the batch dimension (−1 marks a variable time axis).
/// </summary>
public abstract partial class Model
{
    private List<Parameter>? _parameters;

    /// <summary>Creates a model whose weights and shuffling derive from <paramref name="seed"/>.</summary>
    protected Model(ulong seed, string? name)
    {
        Seed = seed;
        Name = string.IsNullOrEmpty(name) ? GetType().Name.ToLowerInvariant() : name;
        ShuffleRandom = new SeededRandom(seed ^ 0x5DEECE66DUL);
    }

    /// <summary>The seed for weight initialization, dropout and shuffling.</summary>
    public ulong Seed { get; }

    /// <summary>The model's name.</summary>
    public string Name { get; set; }

    /// <summary>The layers, input to output.</summary>
    public abstract IReadOnlyList<Layer> Layers { get; }

    /// <summary>The per-sample input shape the model was built for, or null.</summary>
    public int[]? InputShape { get; private set; }

    /// <summary>True once every layer has weights.</summary>
    public bool IsBuilt => InputShape is not null;

    /// <summary>Every parameter, layer by layer, in a fixed order (empty until built).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters ??= Layers.SelectMany(l => l.Parameters).ToList();

    /// <summary>The optimizer set by <see cref="Compile(Optimizer, Loss, Metric[])"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <see cref="Compile(Optimizer, Loss, Metric[])"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics set by <see cref="Compile(Optimizer, Loss, Metric[])"/>.</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = Array.Empty<Metric>();

    /// <summary>Clip the global gradient norm to this value before each update (null: off).</summary>
    public float? ClipNorm { get; private set; }

    /// <summary>Clip every gradient element to ±this value before each update (null: off).</summary>
    public float? ClipValue { get; private set; }

    /// <summary>Set by a callback to stop <c>Fit</c> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Where <c>Fit</c> prints progress (default: the console).</summary>
    public TextWriter Output { get; set; } = Console.Out;

    /// <summary>Random stream for shuffling (and anything else the training loop draws).</summary>
    private protected SeededRandom ShuffleRandom { get; }

    /// <summary>Every random stream training draws from, in a fixed order: shuffling, then each layer's (for backups).</summary>
    internal IEnumerable<SeededRandom> RandomStreams => new[] { ShuffleRandom }.Concat(Layers.SelectMany(l => l.RandomStreams));

    /// <summary>Builds every layer for per-sample inputs of <paramref name="inputShape"/> (no batch dimension).</summary>
    /// <exception cref="ArgumentException">A layer does not accept the shape its predecessor produces; the message names it.</exception>
    public void Build(params int[] inputShape) => BuildFor(inputShape);

    /// <summary>Builds (or, once built, checks every layer against) the input shape; returns the output shape for it.</summary>
    private protected int[] BuildFor(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Layers.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (!IsBuilt)
        {
            // The first call builds the weights: one builder, even when it is a Predict on many threads.
            lock (_buildLock) return BuildLayers(inputShape);
        }
        return BuildLayers(inputShape);
    }

    private readonly object _buildLock = new();

    private int[] BuildLayers(int[] inputShape)
    {
        var random = IsBuilt ? null : new SeededRandom(Seed);
        var shape = inputShape;
        foreach (var layer in Layers)
        {
            try
            {
                layer.Build(shape, random?.Fork());
                shape = layer.ComputeOutputShape(shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}) cannot take input (batch, {Dims(shape)}): {e.Message}", "x", e);
            }
        }
        if (!IsBuilt)
        {
            InputShape = Layers[0].BuiltInputShape;
            OutputShape = shape;
            _parameters = null;
        }
        return shape;
    }

    /// <summary>The per-sample output shape, once built.</summary>
    public int[]? OutputShape { get; private set; }

    /// <summary>Sets the optimizer, the loss and the metrics to track.</summary>
    public void Compile(Optimizer optimizer, Loss loss, params Metric[] metrics) => Compile(optimizer, loss, metrics, null, null);

    /// <summary>Sets the optimizer, the loss, the metrics and gradient clipping (by global norm and/or by value).</summary>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics, float? clipNorm = null, float? clipValue = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (clipNorm is { } n && !(n > 0f && float.IsFinite(n)))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm must be a finite value > 0.");
        if (clipValue is { } v && !(v > 0f && float.IsFinite(v)))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be a finite value > 0.");
        var list = (metrics ?? Array.Empty<Metric>()).ToList();
        var dup = list.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Metric '{dup.Key}' is listed twice.", nameof(metrics));
        Optimizer = optimizer;
        Loss = loss;
        Metrics = list;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
    }

    /// <summary>Runs the layers in order. Returns the output and the mask that goes with it.</summary>
    internal abstract Tensor ForwardPass(Tensor input, SequenceMask? mask, bool training, out SequenceMask? outputMask);

    /// <summary>
    /// Runs the layers for inference (<see cref="Layer.Infer"/>): no backward cache is kept, so
    /// calls may run on several threads at once.
    /// </summary>
    internal abstract Tensor InferencePass(Tensor input, SequenceMask? mask);

    /// <summary>Back-propagates ∂L/∂output through the layers of the last <see cref="ForwardPass"/>.</summary>
    internal abstract void BackwardPass(Tensor gradOutput);

    /// <summary>Zeroes every parameter gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var layer in Layers) layer.ZeroGrad();
    }

    /// <summary>Invalidates the cached parameter list (after layers change).</summary>
    private protected void LayersChanged()
    {
        _parameters = null;
        if (IsBuilt) throw new InvalidOperationException($"Model '{Name}' is already built; layers can only be added before.");
    }

    internal static string Dims(int[] shape) => string.Join(", ", shape.Select(d => d < 0 ? "T" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
