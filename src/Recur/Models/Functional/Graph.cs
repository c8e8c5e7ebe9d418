using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// A directed acyclic graph of layer calls from inputs to outputs: checked once, then run
/// forward in graph order and backward in reverse, summing the gradients of a tensor that
/// feeds several calls. <see cref="Sequential"/> is the special case of one chain.
/// </summary>
internal sealed class Graph
{
    private readonly Dictionary<SymbolicTensor, int> _slots = new(ReferenceEqualityComparer.Instance); // tensor → value slot
    private readonly int[][] _nodeInputs;  // per node: the slots it reads
    private readonly int[] _nodeOutput;    // per node: the slot it writes
    private readonly bool[][] _needsGradient; // per node and input: false for a model input (data)
    private readonly int[] _outputSlots;
    private TrainingPass? _pass;           // the last training pass (training is single-caller)

    /// <summary>Checks and orders the graph that computes <paramref name="outputs"/> from <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">A bad graph; the message names the tensors or layers.</exception>
    public Graph(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs, string modelName)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0) throw new ArgumentException($"Model '{modelName}' needs at least one input.", nameof(inputs));
        if (outputs.Count == 0) throw new ArgumentException($"Model '{modelName}' needs at least one output.", nameof(outputs));
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"inputs[{i}] is null.");
            if (!t.IsInput)
                throw new ArgumentException($"Model '{modelName}': inputs[{i}] ('{t.Name}') is the output of layer '{t.Layer!.Name}', not an input made by Functional.Input.", nameof(inputs));
            if (_slots.ContainsKey(t)) throw new ArgumentException($"Model '{modelName}': input '{t.Name}' is listed twice.", nameof(inputs));
            _slots[t] = _slots.Count;
        }
        foreach (var (t, i) in outputs.Select((t, i) => (t, i)))
            if (t is null) throw new ArgumentNullException(nameof(outputs), $"outputs[{i}] is null.");

        Inputs = inputs.ToArray();
        Outputs = outputs.ToArray();
        Nodes = Order(outputs, modelName);
        var reached = new HashSet<SymbolicTensor>(ReferenceEqualityComparer.Instance);
        foreach (var node in Nodes)
            foreach (var t in node.Inputs)
                reached.Add(t);
        foreach (var t in outputs) reached.Add(t);
        foreach (var t in inputs)
            if (!reached.Contains(t))
                throw new ArgumentException($"Model '{modelName}': input '{t.Name}' is not connected to any output.", nameof(inputs));

        foreach (var node in Nodes) _slots[node.Output] = _slots.Count;
        _nodeInputs = Nodes.Select(n => n.Inputs.Select(t => _slots[t]).ToArray()).ToArray();
        _nodeOutput = Nodes.Select(n => _slots[n.Output]).ToArray();
        _needsGradient = Nodes.Select(n => n.Inputs.Select(t => !t.IsInput).ToArray()).ToArray();
        _outputSlots = outputs.Select(t => _slots[t]).ToArray();

        // Layers in order of their first call; one name per layer.
        var layers = new List<Layer>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        var byName = new Dictionary<string, Layer>();
        foreach (var node in Nodes)
        {
            if (!seen.Add(node.Layer)) continue;
            if (byName.TryGetValue(node.Layer.Name, out var other))
                throw new ArgumentException(
                    $"Model '{modelName}' has two layers named '{node.Layer.Name}' ({other.GetType().Name} and {node.Layer.GetType().Name}); layer names must be unique.",
                    nameof(outputs));
            byName[node.Layer.Name] = node.Layer;
            layers.Add(node.Layer);
        }
        Layers = layers;
    }

    public IReadOnlyList<SymbolicTensor> Inputs { get; }

    public IReadOnlyList<SymbolicTensor> Outputs { get; }

    /// <summary>The layer calls in an order where every call comes after the calls it reads from.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Every distinct layer, in the order of its first call.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The layer of the first single-input call that reads model input <paramref name="input"/> directly, or null.</summary>
    public Layer? FirstCallOnInput(int input)
        => Nodes.FirstOrDefault(n => n.Inputs.Count == 1 && ReferenceEquals(n.Inputs[0], Inputs[input]))?.Layer;

    /// <summary>The calls reachable backwards from the outputs, in depth-first post-order (inputs first).</summary>
    private List<Node> Order(IReadOnlyList<SymbolicTensor> outputs, string modelName)
    {
        var order = new List<Node>();
        var done = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        // Iterative depth-first search: deep chains (thousands of layers) must not overflow the stack.
        foreach (var output in outputs)
        {
            if (output.Producer is null)
            {
                RequireListedInput(output, modelName);
                continue;
            }
            var stack = new Stack<(Node Node, int Next)>();
            if (!done.Contains(output.Producer)) { stack.Push((output.Producer, 0)); onPath.Add(output.Producer); }
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Count)
                {
                    stack.Push((node, next + 1));
                    var t = node.Inputs[next];
                    if (t.Producer is null) { RequireListedInput(t, modelName); continue; }
                    if (onPath.Contains(t.Producer))
                        throw new ArgumentException($"Model '{modelName}': the graph has a cycle through layer '{t.Producer.Layer.Name}'.", nameof(outputs));
                    if (done.Contains(t.Producer)) continue;
                    onPath.Add(t.Producer);
                    stack.Push((t.Producer, 0));
                    continue;
                }
                onPath.Remove(node);
                done.Add(node);
                order.Add(node);
            }
        }
        return order;
    }

    private void RequireListedInput(SymbolicTensor input, string modelName)
    {
        if (!_slots.ContainsKey(input))
            throw new ArgumentException(
                $"Model '{modelName}': the outputs depend on input '{input.Name}' (batch, {Model.Dims(input.ShapeArray)}), which is not among the model's inputs ({string.Join(", ", Inputs.Select(i => i.Name))}).",
                "inputs");
    }

    /// <summary>Builds every layer at its first call, in graph order, each from its own fork of <paramref name="random"/>.</summary>
    public void Build(SeededRandom random)
    {
        var built = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        foreach (var node in Nodes)
        {
            var layerRandom = built.Add(node.Layer) ? random.Fork() : null;
            var shapes = node.Inputs.Select(t => t.ShapeArray).ToArray();
            try
            {
                node.Layer.BuildFor(shapes, layerRandom); // a shared layer's later calls check their shapes
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{node.Layer.Name}' ({node.Layer.GetType().Name}) cannot take input {Layer.DescribeShapes(shapes)}: {e.Message}", "inputs", e);
            }
        }
    }

    /// <summary>
    /// Checks every call against the inputs' per-sample shapes (a free axis takes any length)
    /// and returns each output's per-sample shape for them.
    /// </summary>
    /// <exception cref="ArgumentException">A call whose layer cannot take the shapes it gets; the message names the layer and the shapes.</exception>
    public int[][] OutputShapesFor(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != Inputs.Count)
            throw new ArgumentException(
                $"The model takes {Inputs.Count} input{(Inputs.Count == 1 ? "" : "s")} ({string.Join(", ", Inputs.Select(i => i.Name))}); got {inputShapes.Count}.", "x");
        var shapes = new int[_slots.Count][];
        for (int i = 0; i < inputShapes.Count; i++) shapes[i] = inputShapes[i];
        for (int n = 0; n < Nodes.Count; n++)
        {
            var layer = Nodes[n].Layer;
            var ins = _nodeInputs[n].Select(s => shapes[s]).ToArray();
            try
            {
                layer.BuildFor(ins, null); // built: checks the shapes against the weights
                shapes[_nodeOutput[n]] = layer.OutputShapeOf(ins);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.GetType().Name}) cannot take input {Layer.DescribeShapes(ins)}: {e.Message}", "x", e);
            }
        }
        return _outputSlots.Select(s => shapes[s]).ToArray();
    }

    /// <summary>
    /// Runs the calls in graph order. <paramref name="keep"/>: a training (or evaluation) pass
    /// whose calls keep their caches for <see cref="Backward"/>; otherwise inference only.
    /// </summary>
    public Tensor[] Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<SequenceMask?> inputMasks, bool training, bool keep, out SequenceMask?[] outputMasks)
    {
        var values = new Tensor?[_slots.Count];
        var masks = new SequenceMask?[_slots.Count];
        for (int i = 0; i < inputs.Count; i++) (values[i], masks[i]) = (inputs[i], inputMasks[i]);
        if (keep) foreach (var layer in Layers) DiscardPending(layer);
        // A kept pass records every call, so a layer called several times keeps each call's cache.
        var recordings = keep ? Layers.Select(l => l.RecordCalls()).ToArray() : [];
        try
        {
            for (int n = 0; n < Nodes.Count; n++)
            {
                var layer = Nodes[n].Layer;
                var xs = _nodeInputs[n].Select(s => values[s]!).ToArray();
                var ms = _nodeInputs[n].Select(s => masks[s]).ToArray();
                var y = keep ? layer.ForwardCall(xs, ms, training) : layer.InferCall(xs, ms);
                masks[_nodeOutput[n]] = layer.MaskCall(xs, ms);
                values[_nodeOutput[n]] = y;
            }
        }
        finally
        {
            foreach (var r in recordings) r.Dispose();
        }
        if (keep) _pass = new TrainingPass(values.Select(v => v?.ShapeArray).ToArray());
        outputMasks = _outputSlots.Select(s => masks[s]).ToArray();
        return _outputSlots.Select(s => values[s]!).ToArray();
    }

    /// <summary>
    /// Back-propagates the last kept pass: ∂L/∂output for each output (null: the output is not in
    /// the loss), through the calls in reverse order; a tensor read by several calls gets the sum
    /// of their gradients. Model inputs get none (they are data).
    /// </summary>
    public void Backward(IReadOnlyList<Tensor?> gradOutputs)
    {
        var pass = _pass ?? throw new InvalidOperationException("Backward called before a training forward pass.");
        _pass = null;
        var grads = new Tensor?[_slots.Count];
        for (int k = 0; k < _outputSlots.Length; k++) Accumulate(grads, _outputSlots[k], gradOutputs[k]);
        for (int n = Nodes.Count - 1; n >= 0; n--)
        {
            // Every kept call is back-propagated (the latest first), so each layer's pending calls stay in step.
            var g = grads[_nodeOutput[n]] ?? Tensor.Zeros(pass.Shapes[_nodeOutput[n]]!);
            grads[_nodeOutput[n]] = null;
            var gi = Nodes[n].Layer.BackwardCall(g, _needsGradient[n]);
            for (int i = 0; i < gi.Length; i++)
                if (_needsGradient[n][i]) Accumulate(grads, _nodeInputs[n][i], gi[i]);
        }
    }

    private static void Accumulate(Tensor?[] grads, int slot, Tensor? g)
    {
        if (g is null) return;
        if (grads[slot] is not { } sum)
        {
            grads[slot] = g;
            return;
        }
        Tensor.RequireShape(g, sum.ShapeArray, "gradient");
        var total = sum.Clone(); // the first term may be a layer's own buffer: sum into a new tensor
        var t = total.Span;
        var a = g.Span;
        for (int i = 0; i < t.Length; i++) t[i] += a[i];
        grads[slot] = total;
    }

    private static void DiscardPending(Layer layer)
    {
        foreach (var l in Layer.SelfAndInner(layer)) l.DiscardPendingCalls();
    }

    /// <summary>What a backward pass needs beyond the layers' caches: every tensor's shape.</summary>
    private sealed record TrainingPass(int[]?[] Shapes);
}
