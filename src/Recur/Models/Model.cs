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

    /// <summary>The layers, each once, in the order of their first call (input to output).</summary>
    public abstract IReadOnlyList<Layer> Layers { get; }

    /// <summary>The graph of layer calls, once built.</summary>
    internal Graph? Graph { get; private set; }

    /// <summary>The per-sample shape of the (first) input the model was built for, or null; −1 marks a free time axis.</summary>
    public int[]? InputShape => Graph?.Inputs[0].ShapeArray;

    /// <summary>The per-sample shape of every input, once built (empty before).</summary>
    public IReadOnlyList<int[]> InputShapes => Graph?.Inputs.Select(t => t.ShapeArray).ToArray() ?? [];

    /// <summary>True once every layer has weights.</summary>
    public bool IsBuilt => Graph is not null;

    /// <summary>Every parameter, layer by layer, in a fixed order (empty until built).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters ??= Layers.SelectMany(l => l.Parameters).ToList();

    /// <summary>The optimizer set by <see cref="Compile(Optimizer, Loss, Metric[])"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <see cref="Compile(Optimizer, Loss, Metric[])"/> (the first output's, for a model of several outputs).</summary>
    public Loss? Loss => Losses.Count == 0 ? null : Losses[0];

    /// <summary>The loss of each output, in output order (empty until compiled).</summary>
    public IReadOnlyList<Loss> Losses { get; private set; } = Array.Empty<Loss>();

    /// <summary>The weight of each output's loss in the total that is minimised (all 1 unless set).</summary>
    public IReadOnlyList<float> LossWeights { get; private set; } = Array.Empty<float>();

    /// <summary>The metrics set by <see cref="Compile(Optimizer, Loss, Metric[])"/> (tracked on the first output, logged under their names).</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = Array.Empty<Metric>();

    /// <summary>
    /// The metrics tracked per output, by output name, as set by
    /// <see cref="Compile(Optimizer, IReadOnlyList{Loss}, IReadOnlyDictionary{string, IReadOnlyList{Metric}}, IReadOnlyList{float}?, float?, float?)"/>
    /// (logged as <c>{output}_{metric}</c>); empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Metric>> OutputMetrics { get; private set; } = new Dictionary<string, IReadOnlyList<Metric>>();

    /// <summary>Every tracked metric with the output it reads and its log name.</summary>
    internal IReadOnlyList<MetricSlot> MetricSlots { get; private set; } = Array.Empty<MetricSlot>();

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

    /// <summary>Builds (or, once built, checks every layer against) the input shape; returns the (first) output shape for it.</summary>
    private protected int[] BuildFor(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return BuildFor([inputShape])[0];
    }

    /// <summary>Builds (or, once built, checks every call against) the inputs' per-sample shapes; returns every output's shape for them.</summary>
    private protected int[][] BuildFor(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (Graph is null)
        {
            // The first call builds the weights: one builder, even when it is a Predict on many threads.
            lock (_buildLock)
            {
                if (Graph is null)
                {
                    var graph = CreateGraph(inputShapes);
                    _parameters = null;
                    Graph = graph;
                }
            }
        }
        return Graph.OutputShapesFor(inputShapes);
    }

    private readonly object _buildLock = new();

    /// <summary>The built graph for first inputs of these per-sample shapes (a model whose graph exists already returns it).</summary>
    private protected abstract Graph CreateGraph(IReadOnlyList<int[]> inputShapes);

    /// <summary>Uses an already built graph (a functional model has one from the start).</summary>
    private protected void UseGraph(Graph graph) => Graph = graph;

    /// <summary>The model's symbolic inputs, in order (empty until built; a functional model has them from the start).</summary>
    public IReadOnlyList<SymbolicTensor> Inputs => Graph?.Inputs ?? [];

    /// <summary>The model's symbolic outputs, in order (empty until built).</summary>
    public IReadOnlyList<SymbolicTensor> Outputs => Graph?.Outputs ?? [];

    /// <summary>Every layer call in the order the model runs them (empty until built).</summary>
    public IReadOnlyList<Node> Nodes => Graph?.Nodes ?? [];

    /// <summary>The per-sample output shape (of the first output), once built.</summary>
    public int[]? OutputShape => Graph?.Outputs[0].ShapeArray;

    /// <summary>The per-sample shape of every output, once built (empty before).</summary>
    public IReadOnlyList<int[]> OutputShapes => Graph?.Outputs.Select(t => t.ShapeArray).ToArray() ?? [];

    /// <summary>Sets the optimizer, the loss and the metrics to track.</summary>
    public void Compile(Optimizer optimizer, Loss loss, params Metric[] metrics) => Compile(optimizer, loss, metrics, null, null);

    /// <summary>Sets the optimizer, the loss, the metrics and gradient clipping (by global norm and/or by value).</summary>
    /// <remarks>A model of several outputs applies <paramref name="loss"/> to every output.</remarks>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics, float? clipNorm = null, float? clipValue = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Compile(optimizer, Enumerable.Repeat(loss, Math.Max(1, Graph?.Outputs.Count ?? 1)).ToArray(), null, metrics, clipNorm, clipValue);
    }

    /// <summary>
    /// Sets the optimizer, one loss per output (minimised as Σ weight·loss), the metrics (tracked
    /// on the first output) and gradient clipping (by global norm and/or by value).
    /// </summary>
    /// <param name="optimizer">Updates the trainable parameters.</param>
    /// <param name="losses">The loss of each output, in output order.</param>
    /// <param name="lossWeights">The weight of each output's loss (null: all 1).</param>
    /// <param name="metrics">Tracked on the first output.</param>
    /// <param name="clipNorm">Clip the global gradient norm to this value (null: off).</param>
    /// <param name="clipValue">Clip every gradient element to ±this value (null: off).</param>
    /// <exception cref="ArgumentException">A count that does not match the outputs, a bad weight or clip value, a metric listed twice.</exception>
    public void Compile(Optimizer optimizer, IReadOnlyList<Loss> losses, IReadOnlyList<float>? lossWeights = null, IEnumerable<Metric>? metrics = null,
        float? clipNorm = null, float? clipValue = null)
        => Compile(optimizer, losses, lossWeights, (metrics ?? Array.Empty<Metric>()).ToList(), null, clipNorm, clipValue);

    /// <summary>
    /// Sets the optimizer, one loss per output (minimised as Σ weight·loss), the metrics of each
    /// output by output name (Keras' <c>metrics={"out": [...]}</c>; logged as <c>{output}_{metric}</c>,
    /// and <c>val_{output}_{metric}</c> in validation) and gradient clipping.
    /// </summary>
    /// <param name="optimizer">Updates the trainable parameters.</param>
    /// <param name="losses">The loss of each output, in output order.</param>
    /// <param name="metrics">Per output name, the metrics computed on that output; an output not named has none. Metrics keep running state, so each is given once.</param>
    /// <param name="lossWeights">The weight of each output's loss (null: all 1).</param>
    /// <param name="clipNorm">Clip the global gradient norm to this value (null: off).</param>
    /// <param name="clipValue">Clip every gradient element to ±this value (null: off).</param>
    /// <exception cref="ArgumentException">A name that is no output, a metric given twice, or any problem the other overload refuses.</exception>
    /// <exception cref="InvalidOperationException">The model is not built yet (its output names are not known).</exception>
    public void Compile(Optimizer optimizer, IReadOnlyList<Loss> losses, IReadOnlyDictionary<string, IReadOnlyList<Metric>> metrics,
        IReadOnlyList<float>? lossWeights = null, float? clipNorm = null, float? clipValue = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Compile(optimizer, losses, lossWeights, Array.Empty<Metric>(), metrics, clipNorm, clipValue);
    }

    /// <summary>Checks everything, then sets everything: nothing changes when a setting is refused.</summary>
    internal void Compile(Optimizer optimizer, IReadOnlyList<Loss> losses, IReadOnlyList<float>? lossWeights, IReadOnlyList<Metric> metrics,
        IReadOnlyDictionary<string, IReadOnlyList<Metric>>? outputMetrics, float? clipNorm, float? clipValue)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count == 0) throw new ArgumentException("losses is empty; expected one loss per output.", nameof(losses));
        for (int i = 0; i < losses.Count; i++) ArgumentNullException.ThrowIfNull(losses[i], nameof(losses));
        if (Graph is { } g && losses.Count != g.Outputs.Count)
            throw new ArgumentException($"Model '{Name}' has {g.Outputs.Count} outputs ({string.Join(", ", g.Outputs.Select(o => o.Name))}); got {losses.Count} losses.", nameof(losses));
        var weights = lossWeights?.ToArray() ?? Enumerable.Repeat(1f, losses.Count).ToArray();
        if (weights.Length != losses.Count)
            throw new ArgumentException($"lossWeights has {weights.Length} entries; expected {losses.Count} (one per loss).", nameof(lossWeights));
        foreach (float w in weights)
            if (!(w >= 0f && float.IsFinite(w)))
                throw new ArgumentOutOfRangeException(nameof(lossWeights), w, "every loss weight must be a finite value ≥ 0.");
        if (clipNorm is { } n && !(n > 0f && float.IsFinite(n)))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm must be a finite value > 0.");
        if (clipValue is { } v && !(v > 0f && float.IsFinite(v)))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be a finite value > 0.");
        for (int i = 0; i < metrics.Count; i++) ArgumentNullException.ThrowIfNull(metrics[i], nameof(metrics));
        var slots = metrics.Select(m => new MetricSlot(0, m.Name, m)).Concat(OutputMetricSlots(outputMetrics)).ToList();
        if (slots.GroupBy(s => s.LogName).FirstOrDefault(d => d.Count() > 1) is { } dup)
            throw new ArgumentException($"Metric '{dup.Key}' is listed twice.", nameof(metrics));
        if (slots.GroupBy(s => s.Metric).FirstOrDefault(d => d.Count() > 1) is { } shared)
            throw new ArgumentException(
                $"One '{shared.Key.Name}' metric object is given for {string.Join(" and ", shared.Select(s => s.LogName))}; a metric keeps running state, so give each output its own.", nameof(metrics));
        Optimizer = optimizer;
        Losses = losses.ToArray();
        LossWeights = weights;
        Metrics = metrics.ToArray();
        OutputMetrics = (outputMetrics ?? new Dictionary<string, IReadOnlyList<Metric>>()).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Metric>)kv.Value.ToArray());
        MetricSlots = slots;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
    }

    /// <summary>The slots of per-output metrics, in output order; every name must be an output of the built graph.</summary>
    private List<MetricSlot> OutputMetricSlots(IReadOnlyDictionary<string, IReadOnlyList<Metric>>? outputMetrics)
    {
        if (outputMetrics is null || outputMetrics.Count == 0) return new();
        var graph = Graph ?? throw new InvalidOperationException(
            $"Model '{Name}' is not built, so its output names are not known: build it before compiling metrics by output.");
        var names = graph.Outputs.Select(o => o.Name).ToList();
        foreach (var (name, list) in outputMetrics)
        {
            if (!names.Contains(name))
                throw new ArgumentException($"Model '{Name}' has no output '{name}'; its outputs: {string.Join(", ", names)}.", nameof(outputMetrics));
            ArgumentNullException.ThrowIfNull(list, nameof(outputMetrics));
            if (list.Any(m => m is null)) throw new ArgumentNullException(nameof(outputMetrics), $"The metrics of output '{name}' include null.");
        }
        return names.Select((name, k) => (name, k))
            .Where(o => outputMetrics.ContainsKey(o.name))
            .SelectMany(o => outputMetrics[o.name].Select(m => new MetricSlot(o.k, $"{o.name}_{m.Name}", m)))
            .ToList();
    }

    /// <summary>
    /// Runs the graph for training (or evaluation): every call keeps its cache for
    /// <see cref="BackwardPass"/>. Returns each output and the mask that goes with it.
    /// </summary>
    internal Tensor[] ForwardPass(IReadOnlyList<Tensor> inputs, SequenceMask? mask, bool training, out SequenceMask?[] outputMasks)
        => Graph!.Forward(inputs, InputMasks(inputs.Count, mask), training, keep: true, out outputMasks);

    /// <summary>
    /// Runs the graph for inference (<see cref="Layer.Infer"/>): no backward cache is kept, so
    /// calls may run on several threads at once.
    /// </summary>
    internal Tensor[] InferencePass(IReadOnlyList<Tensor> inputs, SequenceMask? mask, out SequenceMask?[] outputMasks)
        => Graph!.Forward(inputs, InputMasks(inputs.Count, mask), training: false, keep: false, out outputMasks);

    /// <summary>Back-propagates ∂L/∂output (per output; null where an output has no loss) through the last <see cref="ForwardPass"/>.</summary>
    internal void BackwardPass(IReadOnlyList<Tensor?> gradOutputs) => Graph!.Backward(gradOutputs);

    /// <summary>An explicit mask belongs to the first input.</summary>
    private static SequenceMask?[] InputMasks(int count, SequenceMask? mask)
    {
        var masks = new SequenceMask?[count];
        masks[0] = mask;
        return masks;
    }

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
