using Recur.Layers;

namespace Recur.Onnx;

/// <summary>What a layer's exporter produces: its output value and the mask that goes with it.</summary>
/// <param name="Output">The layer's output.</param>
/// <param name="Mask">The output's mask (as Recur's <c>Layer.ComputeMask</c> gives it), or null.</param>
public sealed record OnnxLayerOutput(OnnxValue Output, OnnxMask? Mask);

/// <summary>
/// What an exporter sees of the graph around one layer: its input, the input's mask, the graph to
/// add nodes to, and the model's state inputs and outputs.
/// </summary>
public sealed class OnnxLayerContext
{
    private readonly ModelGraph _model;

    internal OnnxLayerContext(ModelGraph model, IReadOnlyList<OnnxValue> inputs, IReadOnlyList<OnnxMask?> masks, bool exposeStates)
    {
        _model = model;
        Inputs = inputs;
        Masks = masks;
        ExposeStates = exposeStates;
    }

    /// <summary>The graph being built.</summary>
    public OnnxGraphBuilder Graph => _model.Graph;

    /// <summary>The layer's input (the first one, for a layer taking several).</summary>
    public OnnxValue Input => Inputs[0];

    /// <summary>The mask of the input, or null when every step is real.</summary>
    public OnnxMask? Mask => Masks[0];

    /// <summary>Every input, in the order the layer takes them (one for a layer of a Sequential model).</summary>
    public IReadOnlyList<OnnxValue> Inputs { get; }

    /// <summary>The mask of each input (null where every step is real).</summary>
    public IReadOnlyList<OnnxMask?> Masks { get; }

    /// <summary>
    /// True when the layer may declare state inputs and outputs (<see cref="InitialState"/>,
    /// <see cref="FinalState"/>): a layer of the model itself, not one applied per step inside a
    /// wrapper, and the export asked for states (<see cref="OnnxExportOptions.States"/>).
    /// </summary>
    public bool ExposeStates { get; }

    /// <summary>The same output with the input's mask (for layers that keep the mask as it is).</summary>
    public OnnxLayerOutput Pass(OnnxValue output) => new(output, Mask);

    /// <summary>
    /// Exports a wrapped layer on <paramref name="input"/> with the registered exporter of its type
    /// (a wrapper such as TimeDistributed calls this for the layer it wraps).
    /// </summary>
    /// <exception cref="OnnxExportException">No exporter is registered for the wrapped layer's type.</exception>
    public OnnxLayerOutput ExportInner(Layer inner, OnnxValue input, OnnxMask? mask, bool exposeStates = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(input);
        return _model.ExportLayer(inner, input, mask, exposeStates && ExposeStates);
    }

    /// <summary>
    /// Declares the optional float input <paramref name="name"/> of shape (rows, B, width) — an
    /// initial recurrent state as Recur and PyTorch lay it out, zeros unless the caller feeds it —
    /// and returns a (rows, B, width) value for it, B being the batch of <paramref name="like"/>'s axis 0.
    /// </summary>
    public string InitialState(string name, long rows, long width, OnnxValue like, string doc)
    {
        ArgumentNullException.ThrowIfNull(like);
        if (!ExposeStates) throw new InvalidOperationException($"State input '{name}': this layer is exported without states (see ExposeStates).");
        var g = Graph;
        var declared = g.AddOptionalInput(name, [OnnxDim.Fixed(rows), OnnxDim.Batch, OnnxDim.Fixed(width)],
            new float[rows * width], [rows, 1, width], doc);
        // The default is (rows, 1, width): broadcast it (or take a fed (rows, B, width) as it is).
        string batch = g.ShapeSlice(like.Name, name + "_batch", 0, 1);
        string shape = g.Node("Concat", [g.Int64s(rows), batch, g.Int64s(width)], name + "_shape", OnnxAttribute.Int("axis", 0));
        return g.Node("Expand", [declared.Name, shape], name + "_expanded");
    }

    /// <summary>Declares the graph output <paramref name="name"/>: a final state (rows, B, width).</summary>
    public void FinalState(string name, string value, long rows, long width, string doc)
    {
        if (!ExposeStates) throw new InvalidOperationException($"State output '{name}': this layer is exported without states (see ExposeStates).");
        Graph.AddOutput(name, new OnnxValue(value, OnnxElementType.Float, [OnnxDim.Fixed(rows), OnnxDim.Batch, OnnxDim.Fixed(width)]), doc);
    }
}
