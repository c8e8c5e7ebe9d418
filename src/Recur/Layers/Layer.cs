using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// A differentiable layer. Each <see cref="Forward"/> call keeps what <see cref="Backward"/> needs
/// as a value of its own (<see cref="SaveForBackward"/>); <see cref="Backward"/> takes the gradient
/// of the loss with respect to the output of the latest call not yet back-propagated, accumulates
/// parameter gradients (<c>+=</c>) and returns the gradient with respect to that call's input.
/// </summary>
/// <remarks>
/// <para>While calls are recorded (<see cref="RecordCalls"/>; a model's training pass records every
/// layer) each call keeps its cache until it is back-propagated, so a layer may run several times
/// in one pass (shared weights, a decoder stepped inside one training step): back-propagating the
/// calls in reverse order, as back-propagation runs, sums every call's parameter gradients.
/// Outside a recording a new call replaces the one pending before it, so a loop of forward calls
/// that are never back-propagated (inference through <see cref="Forward"/>) holds one cache, not all.</para>
/// </remarks>
/// <remarks>
/// Shapes are batch-first. A layer is built lazily on its first input: per-sample input shapes
/// exclude the batch dimension, and -1 marks a variable length (the time axis).
/// </remarks>
public abstract partial class Layer
{
    private readonly List<Parameter> _parameters = new();
    private readonly Stack<object> _pendingCalls = new(); // forward calls not yet back-propagated, latest on top
    private int _recording;                               // open RecordCalls scopes

    /// <summary>Creates a layer with an optional name (defaults to the type name).</summary>
    protected Layer(string? name)
    {
        Name = string.IsNullOrEmpty(name) ? GetType().Name.ToLowerInvariant() : name;
    }

    /// <summary>The layer's name (unique inside a model).</summary>
    public string Name { get; set; }

    /// <summary>The trainable and frozen parameters, in a fixed order.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Total number of scalar parameters.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>True once weights exist.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The per-sample input shape the layer was built for (no batch dimension).</summary>
    public int[]? BuiltInputShape { get; private set; }

    /// <summary>Seed used when the layer builds itself on first use without a generator.</summary>
    public ulong Seed { get; set; }

    /// <summary>Creates the weights for per-sample inputs of <paramref name="inputShape"/>.</summary>
    public void Build(int[] inputShape, SeededRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (IsBuilt)
        {
            CheckInputShape(inputShape);
            return;
        }
        BuildCore(inputShape, random ?? new SeededRandom(Seed));
        BuiltInputShape = GeneralizeInputShape((int[])inputShape.Clone());
        IsBuilt = true;
    }

    /// <summary>
    /// The input shapes the built layer accepts, with −1 for free axes. By default a per-sample
    /// shape of rank ≥ 2 is (T, …) and its time axis is free; the other axes are fixed.
    /// </summary>
    protected virtual int[] GeneralizeInputShape(int[] inputShape)
    {
        if (inputShape.Length >= 2) inputShape[0] = -1;
        return inputShape;
    }

    /// <summary>Creates parameters for the given per-sample input shape.</summary>
    protected virtual void BuildCore(int[] inputShape, SeededRandom random) { }

    /// <summary>The per-sample output shape for a per-sample input shape.</summary>
    public abstract int[] ComputeOutputShape(int[] inputShape);

    /// <summary>The mask that goes with this layer's output (default: the input mask, unchanged).</summary>
    public virtual SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask) => inputMask;

    /// <summary>Runs the layer on a batch. <paramref name="training"/> enables dropout and similar.</summary>
    public abstract Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false);

    /// <summary>
    /// Runs the layer for inference only, keeping no backward cache. The built-in layers are safe
    /// to call from many threads at once through this method (each call gets exactly the answer
    /// it would get alone); the default runs <see cref="Forward"/> with <c>training: false</c>, so
    /// a layer that caches in <see cref="Forward"/> overrides this to be thread-safe.
    /// </summary>
    public virtual Tensor Infer(Tensor input, SequenceMask? mask = null) => Forward(input, mask, training: false);

    /// <summary>The layers a wrapper runs (none for a plain layer).</summary>
    public virtual IEnumerable<Layer> InnerLayers => [];

    /// <summary>The layer and, recursively, every layer it wraps.</summary>
    internal static IEnumerable<Layer> SelfAndInner(Layer layer) => layer.InnerLayers.SelectMany(SelfAndInner).Prepend(layer);

    /// <summary>
    /// Back-propagates through the latest <see cref="Forward"/> call not yet back-propagated
    /// (and consumes it).
    /// </summary>
    /// <exception cref="InvalidOperationException">Every forward call is already back-propagated (or none was made).</exception>
    public abstract Tensor Backward(Tensor gradOutput);

    /// <summary>Forward calls whose <see cref="Backward"/> is still to come.</summary>
    public int PendingCalls => _pendingCalls.Count;

    /// <summary>
    /// Forgets every forward call not back-propagated (a model does this before each pass, so a
    /// forward pass that is never back-propagated, such as an evaluation, holds no memory).
    /// </summary>
    public virtual void DiscardPendingCalls() => _pendingCalls.Clear();

    /// <summary>
    /// Keeps what <see cref="Backward"/> needs from one forward call (training is single-caller).
    /// Outside <see cref="RecordCalls"/> the calls pending before it are discarded first.
    /// </summary>
    protected void SaveForBackward(object cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (_recording == 0 && _pendingCalls.Count > 0) DiscardPendingCalls();
        _pendingCalls.Push(cache);
    }

    /// <summary>
    /// Called by a layer before a forward call that will keep a cache: outside <see cref="RecordCalls"/>
    /// the pending calls go now (their buffers free for this call), not when the new cache is saved.
    /// </summary>
    protected void BeginKeptCall()
    {
        if (_recording == 0 && _pendingCalls.Count > 0) DiscardPendingCalls();
    }

    /// <summary>
    /// Records forward calls until the returned scope is disposed: each call made meanwhile (by
    /// this layer and the layers it wraps) keeps its cache until it is back-propagated, for a layer
    /// applied several times before one backward pass. Scopes nest.
    /// </summary>
    public IDisposable RecordCalls()
    {
        var layers = SelfAndInner(this).ToArray();
        foreach (var layer in layers) layer._recording++;
        return new Recording(layers);
    }

    private sealed class Recording(Layer[] layers) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var layer in layers) layer._recording--;
        }
    }

    /// <summary>
    /// Takes the cache of the latest forward call not yet back-propagated. <paramref name="check"/>
    /// (validating the gradient against the call) runs first: when it throws, the call stays pending.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is none: Backward was called more often than Forward.</exception>
    protected T TakeForBackward<T>(Action<T>? check = null) where T : class
    {
        if (_pendingCalls.Count == 0)
            throw new InvalidOperationException($"Layer '{Name}': Backward called without a forward call to back-propagate (each Forward is back-propagated once, the latest first).");
        var cache = _pendingCalls.Peek() as T
            ?? throw new InvalidOperationException($"Layer '{Name}': the pending forward call holds no {typeof(T).Name}.");
        check?.Invoke(cache);
        _pendingCalls.Pop();
        return cache;
    }

    /// <summary>Takes every pending cache, latest first (for a layer that must release them).</summary>
    protected IEnumerable<object> TakeAllForBackward()
    {
        while (_pendingCalls.Count > 0) yield return _pendingCalls.Pop();
    }

    /// <summary>
    /// Back-propagates when nothing needs ∂L/∂input (the first layer of a model, whose input is
    /// data): the parameter gradients are those of <see cref="Backward"/>; a layer may skip the
    /// input gradient.
    /// </summary>
    internal virtual void BackwardToParameters(Tensor gradOutput) => Backward(gradOutput);

    /// <summary>The parameter with the given name.</summary>
    /// <exception cref="KeyNotFoundException">No such parameter; the message lists the existing names.</exception>
    public Parameter GetParameter(string name)
    {
        foreach (var p in Parameters)
            if (p.Name == name) return p;
        throw new KeyNotFoundException(
            $"Layer '{Name}' has no parameter '{name}'" + (IsBuilt ? $"; it has: {string.Join(", ", Parameters.Select(p => p.Name))}." : " (it is not built yet)."));
    }

    /// <summary>Zeroes every parameter gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>
    /// The hyper-parameters that recreate this layer (not its weights), as saved in model files.
    /// A user-defined layer overrides this and registers its type with
    /// <see cref="Serialization.TypeRegistry.RegisterLayer{T}(Func{LayerConfig, T}, string?)"/>
    /// (whose factory reads the same keys back) to train, save and load like a built-in one.
    /// </summary>
    /// <exception cref="NotSupportedException">The layer type cannot be saved.</exception>
    public virtual JsonObject GetConfig()
        => throw new NotSupportedException($"Layer '{Name}' of type {GetType().Name} cannot be saved in a model file.");

    /// <summary>
    /// The random streams the layer draws from while training (dropout): a backup
    /// (<see cref="Training.BackupAndRestore"/>) saves and restores them so a resumed run draws
    /// what the uninterrupted one would. Empty by default; a user-defined layer that draws lists its streams.
    /// </summary>
    public virtual IEnumerable<SeededRandom> RandomStreams => [];

    private bool _trainable = true;
    private string[]? _pendingFrozen; // parameter names a model file marks frozen, applied once built

    /// <summary>
    /// Whether the layer's weights train (Keras' <c>layer.trainable</c>). Setting it sets every
    /// parameter's <see cref="Parameter.Trainable"/>, of wrapped layers too, now and when the layer
    /// is built. Frozen parameters are saved as such in model files.
    /// </summary>
    public bool Trainable
    {
        get => Parameters.Count == 0 ? _trainable : Parameters.All(p => p.Trainable);
        set
        {
            foreach (var layer in SelfAndInner(this))
            {
                layer._trainable = value;
                foreach (var p in layer._parameters) p.Trainable = value;
            }
        }
    }

    /// <summary>The names of the parameters that do not train.</summary>
    internal IReadOnlyList<string> FrozenParameterNames() => Parameters.Where(p => !p.Trainable).Select(p => p.Name).ToList();

    /// <summary>Marks parameters (by name) frozen once the layer is built (<see cref="ApplyFrozen"/>).</summary>
    internal void FreezeAfterBuild(IEnumerable<string> names) => _pendingFrozen = names.ToArray();

    /// <summary>Freezes the parameters named by <see cref="FreezeAfterBuild"/>.</summary>
    /// <exception cref="KeyNotFoundException">A name that is no parameter of the layer.</exception>
    internal void ApplyFrozen()
    {
        foreach (string name in _pendingFrozen ?? []) GetParameter(name).Trainable = false;
        _pendingFrozen = null;
    }

    /// <summary>Registers a parameter (called while building).</summary>
    protected Parameter AddParameter(string name, Tensor value)
    {
        if (_parameters.Any(p => p.Name == name))
            throw new InvalidOperationException($"Layer '{Name}' already has a parameter named '{name}'.");
        var p = new Parameter(name, value) { Trainable = _trainable };
        _parameters.Add(p);
        return p;
    }

    /// <summary>Builds from a batch tensor's shape (dropping the batch dimension) if not built yet.</summary>
    protected void EnsureBuilt(Tensor input)
    {
        var perSample = input.ShapeArray[1..];
        if (!IsBuilt) Build(perSample);
        else CheckInputShape(perSample);
    }

    private void CheckInputShape(int[] perSample)
    {
        var built = BuiltInputShape!;
        bool ok = built.Length == perSample.Length;
        for (int i = 0; ok && i < built.Length; i++)
            ok = built[i] == -1 || perSample[i] == -1 || built[i] == perSample[i];
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' was built for inputs of shape (batch, {string.Join(", ", built.Select(d => d < 0 ? "T" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}) " +
                $"but got (batch, {string.Join(", ", perSample)}).", "input");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name} '{Name}'";
}
