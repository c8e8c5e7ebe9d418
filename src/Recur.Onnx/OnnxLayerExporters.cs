using System.Collections.Concurrent;
using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Onnx;

/// <summary>Exports one layer of type <typeparamref name="TLayer"/>: adds its nodes to the graph and returns its output.</summary>
public delegate OnnxLayerOutput OnnxLayerExporter<in TLayer>(TLayer layer, OnnxLayerContext context) where TLayer : Layer;

/// <summary>
/// The exporters, keyed by layer type: the built-in layers are registered, and a layer of your
/// own becomes exportable by registering an exporter for its type.
/// </summary>
/// <example>
/// <code>
/// // A layer y = 2x of your own:
/// OnnxLayerExporters.Register&lt;Doubling&gt;((layer, ctx) =>
///     ctx.Pass(ctx.Input.With(ctx.Graph.Node("Mul", [ctx.Input.Name, ctx.Graph.Scalar(2f)], layer.Name), ctx.Input.Shape)));
/// </code>
/// </example>
/// <remarks>
/// Lookup is by exact type: a subclass of a built-in layer may compute something else, so it needs
/// its own exporter. Registration is thread-safe; a later registration replaces an earlier one.
/// </remarks>
public static class OnnxLayerExporters
{
    private static readonly ConcurrentDictionary<Type, OnnxLayerExporter<Layer>> s_exporters = new();

    static OnnxLayerExporters()
    {
        Register<Lstm>(RecurrentExporter.Export);
        Register<Gru>(RecurrentExporter.Export);
        Register<SimpleRnn>(RecurrentExporter.Export);
        Register<Bidirectional>(RecurrentExporter.ExportBidirectional);
        Register<Dense>(DenseExporter.Export);
        Register<Embedding>(EmbeddingExporter.Export);
        Register<Masking>(MaskingExporter.Export);
        Register<Dropout>((_, ctx) => ctx.Pass(ctx.Input)); // identity at inference
        Register<GlobalMaxPooling1D>(PoolingExporter.Export);
        Register<TimeDistributed>(TimeDistributedExporter.Export);
        Register<Add>(MergeExporter.ExportAdd);
        Register<Multiply>(MergeExporter.ExportMultiply);
        Register<Concatenate>(MergeExporter.ExportConcatenate);
    }

    /// <summary>Registers (or replaces) the exporter for layers of exactly type <typeparamref name="TLayer"/>.</summary>
    public static void Register<TLayer>(OnnxLayerExporter<TLayer> exporter) where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(exporter);
        s_exporters[typeof(TLayer)] = (layer, ctx) => exporter((TLayer)layer, ctx);
    }

    /// <summary>True when layers of exactly <paramref name="layerType"/> can be exported.</summary>
    public static bool IsRegistered(Type layerType)
    {
        ArgumentNullException.ThrowIfNull(layerType);
        return s_exporters.ContainsKey(layerType);
    }

    internal static OnnxLayerExporter<Layer>? Find(Type layerType) => s_exporters.GetValueOrDefault(layerType);
}
