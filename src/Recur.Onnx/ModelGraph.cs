using Recur.Layers;

namespace Recur.Onnx;

/// <summary>The graph of one model being exported: the builder and the layer-by-layer export through the registry.</summary>
internal sealed class ModelGraph(OnnxGraphBuilder graph)
{
    public OnnxGraphBuilder Graph { get; } = graph;

    public OnnxLayerOutput ExportLayer(Layer layer, OnnxValue input, OnnxMask? mask, bool exposeStates)
        => ExportLayer(layer, [input], [mask], exposeStates);

    public OnnxLayerOutput ExportLayer(Layer layer, IReadOnlyList<OnnxValue> inputs, IReadOnlyList<OnnxMask?> masks, bool exposeStates)
    {
        var exporter = OnnxLayerExporters.Find(layer.GetType()) ?? throw Unexportable(layer);
        var context = new OnnxLayerContext(this, inputs, masks, exposeStates);
        try
        {
            return exporter(layer, context);
        }
        catch (Exception e) when (e is not OnnxExportException)
        {
            throw new OnnxExportException($"Layer '{layer.Name}' ({layer.GetType().Name}) could not be exported: {e.Message}", e);
        }
    }

    public static OnnxExportException Unexportable(Layer layer)
        => new($"Layer '{layer.Name}' ({layer.GetType().FullName}) has no ONNX exporter; register one with OnnxLayerExporters.Register<{layer.GetType().Name}>(…).");
}
