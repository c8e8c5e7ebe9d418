using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Serialization;

/// <summary>The compile settings (loss, optimizer hyper-parameters, metrics, clipping) as JSON and back.</summary>
internal static class TrainingConfig
{
    /// <summary>
    /// The compile settings as JSON, or null when a loss or the optimizer cannot be saved (not
    /// registered, or no <c>GetConfig</c>): the weights still save.
    /// </summary>
    public static JsonObject? Describe(IReadOnlyList<Loss> losses, IReadOnlyList<float> lossWeights, Optimizer? optimizer, IReadOnlyList<Metric> metrics,
        IReadOnlyDictionary<string, IReadOnlyList<Metric>> outputMetrics, float? clipNorm, float? clipValue)
    {
        if (losses.Count == 0 || optimizer is null) return null;
        var lossJson = losses.Select(DescribeLoss).ToArray();
        var optimizerJson = Describe(TypeRegistry.OptimizerTypeName(optimizer), optimizer.GetConfig());
        if (lossJson.Any(l => l is null) || optimizerJson is null) return null; // user-defined and unregistered
        var json = new JsonObject
        {
            ["loss"] = lossJson[0]!.DeepClone(),
            ["optimizer"] = optimizerJson,
            ["metrics"] = Names(metrics),
            ["clip_norm"] = clipNorm,
            ["clip_value"] = clipValue,
        };
        if (losses.Count > 1 || lossWeights.Any(w => w != 1f))
        {
            json["losses"] = new JsonArray(lossJson.Select(l => (JsonNode)l!).ToArray());
            json["loss_weights"] = new JsonArray(lossWeights.Select(w => (JsonNode)w).ToArray());
        }
        if (outputMetrics.Count > 0)
        {
            var byOutput = new JsonObject();
            foreach (var (output, list) in outputMetrics) byOutput[output] = Names(list);
            json["output_metrics"] = byOutput;
        }
        return json;
    }

    private static JsonArray Names(IEnumerable<Metric> metrics) => new(metrics.Select(m => (JsonNode)JsonValue.Create(m.Name)!).ToArray());

    private static Metric[] ReadMetrics(JsonNode? names)
        => (names as JsonArray ?? new JsonArray()).Select(m => TypeRegistry.CreateMetric(m is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)).ToArray();

    private static JsonObject? DescribeLoss(Loss loss) => Describe(TypeRegistry.LossTypeName(loss), loss.GetConfig());

    private static JsonObject? Describe(string? type, JsonObject? config)
    {
        if (type is null || config is null) return null;
        var json = new JsonObject { ["type"] = type };
        foreach (var (k, v) in config) json[k] = v?.DeepClone();
        return json;
    }

    public static (Loss[] Losses, float[]? LossWeights, Optimizer Optimizer, Metric[] Metrics, Dictionary<string, IReadOnlyList<Metric>> OutputMetrics,
        float? ClipNorm, float? ClipValue) Read(JsonObject json)
    {
        var c = new LayerConfig(json, "compile");
        Loss[] losses;
        float[]? weights = null;
        if (json["losses"] is JsonArray list)
        {
            losses = list.Select((l, i) => ReadLoss(l as JsonObject ?? throw new InvalidDataException($"compile.losses[{i}] is not an object."), $"compile.losses[{i}]")).ToArray();
            var w = json["loss_weights"] as JsonArray ?? throw new InvalidDataException("compile.loss_weights is missing; expected one weight per loss.");
            weights = w.Select((v, i) => v is JsonValue jv && jv.TryGetValue<double>(out double d) && double.IsFinite(d) ? (float)d
                : throw new InvalidDataException($"compile.loss_weights[{i}] is {v?.ToJsonString() ?? "null"}; expected a finite number.")).ToArray();
        }
        else losses = [ReadLoss(c.Object("loss"), "compile.loss")];
        var o = new LayerConfig(c.Object("optimizer"), "compile.optimizer");
        var optimizer = TypeRegistry.CreateOptimizer(o.String("type"), o);
        var metrics = ReadMetrics(json["metrics"]);
        var outputMetrics = new Dictionary<string, IReadOnlyList<Metric>>();
        if (json["output_metrics"] is JsonObject byOutput)
            foreach (var (output, names) in byOutput) outputMetrics[output] = ReadMetrics(names);
        float? clipNorm = json["clip_norm"] is null ? null : c.Float("clip_norm");
        float? clipValue = json["clip_value"] is null ? null : c.Float("clip_value");
        return (losses, weights, optimizer, metrics, outputMetrics, clipNorm, clipValue);
    }

    private static Loss ReadLoss(JsonObject json, string where)
    {
        var l = new LayerConfig(json, where);
        return TypeRegistry.CreateLoss(l.String("type"), l);
    }
}
