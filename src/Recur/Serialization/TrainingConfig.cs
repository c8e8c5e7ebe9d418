using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Serialization;

/// <summary>The compile settings (loss, optimizer hyper-parameters, metrics, clipping) as JSON and back.</summary>
internal static class TrainingConfig
{
    public static JsonObject? Describe(Loss? loss, Optimizer? optimizer, IReadOnlyList<Metric> metrics, float? clipNorm, float? clipValue)
    {
        if (loss is null || optimizer is null) return null;
        var lossJson = DescribeLoss(loss);
        if (lossJson is null) return null; // a user-defined loss: the weights still save, the compile settings do not
        return new JsonObject
        {
            ["loss"] = lossJson,
            ["optimizer"] = DescribeOptimizer(optimizer),
            ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)JsonValue.Create(m.Name)!).ToArray()),
            ["clip_norm"] = clipNorm,
            ["clip_value"] = clipValue,
        };
    }

    private static JsonObject? DescribeLoss(Loss loss) => loss switch
    {
        MeanSquaredError => new JsonObject { ["type"] = "mse" },
        MeanAbsoluteError => new JsonObject { ["type"] = "mae" },
        Huber h => new JsonObject { ["type"] = "huber", ["delta"] = h.Delta },
        BinaryCrossEntropy b => new JsonObject { ["type"] = "binary_crossentropy", ["from_logits"] = b.FromLogits },
        SparseCategoricalCrossEntropy s => new JsonObject { ["type"] = "sparse_categorical_crossentropy", ["from_logits"] = s.FromLogits },
        _ => null,
    };

    private static JsonObject DescribeOptimizer(Optimizer o) => o switch
    {
        Sgd s => new JsonObject { ["type"] = "sgd", ["learning_rate"] = s.LearningRate, ["momentum"] = s.Momentum, ["nesterov"] = s.Nesterov, ["weight_decay"] = s.WeightDecay },
        AdamW a => new JsonObject { ["type"] = "adamw", ["learning_rate"] = a.LearningRate, ["beta1"] = a.Beta1, ["beta2"] = a.Beta2, ["eps"] = a.Eps, ["weight_decay"] = a.WeightDecay },
        Adam a => new JsonObject { ["type"] = "adam", ["learning_rate"] = a.LearningRate, ["beta1"] = a.Beta1, ["beta2"] = a.Beta2, ["eps"] = a.Eps, ["weight_decay"] = a.WeightDecay },
        RmsProp r => new JsonObject { ["type"] = "rmsprop", ["learning_rate"] = r.LearningRate, ["alpha"] = r.Alpha, ["eps"] = r.Eps, ["momentum"] = r.Momentum, ["centered"] = r.Centered, ["weight_decay"] = r.WeightDecay },
        Adagrad g => new JsonObject { ["type"] = "adagrad", ["learning_rate"] = g.LearningRate, ["initial_accumulator"] = g.InitialAccumulator, ["eps"] = g.Eps, ["weight_decay"] = g.WeightDecay },
        _ => throw new NotSupportedException($"Optimizer {o.GetType().Name} cannot be saved."),
    };

    public static (Loss Loss, Optimizer Optimizer, Metric[] Metrics, float? ClipNorm, float? ClipValue) Read(JsonObject json)
    {
        var c = new LayerConfig(json, "compile");
        var l = new LayerConfig(c.Object("loss"), "compile.loss");
        Loss loss = l.String("type") switch
        {
            "mse" => Loss.MeanSquaredError(),
            "mae" => Loss.MeanAbsoluteError(),
            "huber" => Loss.Huber(l.Float("delta")),
            "binary_crossentropy" => Loss.BinaryCrossEntropy(l.Bool("from_logits")),
            "sparse_categorical_crossentropy" => Loss.SparseCategoricalCrossEntropy(l.Bool("from_logits")),
            var other => throw new InvalidDataException($"Unknown loss type '{other}' in the model file."),
        };
        var o = new LayerConfig(c.Object("optimizer"), "compile.optimizer");
        Optimizer optimizer = o.String("type") switch
        {
            "sgd" => new Sgd(o.Float("learning_rate"), o.Float("momentum"), o.Bool("nesterov"), o.Float("weight_decay")),
            "adam" => new Adam(o.Float("learning_rate"), o.Float("beta1"), o.Float("beta2"), o.Float("eps"), o.Float("weight_decay")),
            "adamw" => new AdamW(o.Float("learning_rate"), o.Float("beta1"), o.Float("beta2"), o.Float("eps"), o.Float("weight_decay")),
            "rmsprop" => new RmsProp(o.Float("learning_rate"), o.Float("alpha"), o.Float("eps"), o.Float("momentum"), o.Bool("centered"), o.Float("weight_decay")),
            "adagrad" => new Adagrad(o.Float("learning_rate"), o.Float("initial_accumulator"), o.Float("eps"), o.Float("weight_decay")),
            var other => throw new InvalidDataException($"Unknown optimizer type '{other}' in the model file."),
        };
        var metrics = (json["metrics"] as JsonArray ?? new JsonArray()).Select(m => MetricByName(m?.GetValue<string>())).ToArray();
        float? clipNorm = json["clip_norm"] is null ? null : c.Float("clip_norm");
        float? clipValue = json["clip_value"] is null ? null : c.Float("clip_value");
        return (loss, optimizer, metrics, clipNorm, clipValue);
    }

    private static Metric MetricByName(string? name) => name switch
    {
        "accuracy" => Metric.Accuracy,
        "binary_accuracy" => Metric.BinaryAccuracy,
        "mae" => Metric.MeanAbsoluteError,
        "rmse" => Metric.RootMeanSquaredError,
        "perplexity" => Metric.Perplexity,
        _ => throw new InvalidDataException($"Unknown metric '{name}' in the model file."),
    };
}
