using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Tests.Serialization;

/// <summary>
/// Every built-in type of a model file: saved under its type name and recreated from its config
/// by the registry (settings other than the defaults, so a factory that drops one is caught), and
/// its name refused to a user's registration.
/// </summary>
public class TypeRegistryTests
{
    private static (string Name, Layer Layer)[] Layers() =>
    [
        ("Lstm", new Lstm(5, new RecurrentOptions { ReturnSequences = true }, name: "l")), ("Gru", new Gru(3, name: "g")), ("SimpleRnn", new SimpleRnn(4, name: "s")),
        ("Dense", new Dense(3, name: "d")), ("Embedding", new Embedding(11, 4, maskZero: true, name: "e")), ("Dropout", new Dropout(0.25f, seed: 7, name: "p")),
        ("Masking", new Masking(-1f, name: "m")), ("Bidirectional", new Bidirectional(new Gru(2), MergeMode.Sum, name: "b")),
        ("TimeDistributed", new TimeDistributed(new Dense(2), name: "t")), ("GlobalMaxPooling1D", new GlobalMaxPooling1D(name: "x")),
        ("Concatenate", new Concatenate(axis: 1, name: "c")), ("Add", new Add(name: "a")), ("Multiply", new Multiply(name: "u")),
        ("StepCell", new StepCell(new Lstm(3, new RecurrentOptions { ReturnSequences = true }), name: "k")),
    ];

    private static (string Name, Loss Loss)[] Losses() =>
    [
        ("mse", new MeanSquaredError()), ("mae", new MeanAbsoluteError()), ("huber", new Huber(2.5f)), ("binary_crossentropy", new BinaryCrossEntropy(fromLogits: true)),
        ("sparse_categorical_crossentropy", new SparseCategoricalCrossEntropy(fromLogits: true)), ("label_smoothed_crossentropy", new LabelSmoothedCrossEntropy(0.2f)),
        ("ctc", new Ctc(blank: 2, CtcReduction.Sum, zeroInfinity: true)),
    ];

    private static (string Name, Optimizer Optimizer)[] Optimizers() =>
    [
        ("sgd", new Sgd(0.5f, momentum: 0.8f, nesterov: true, weightDecay: 0.01f)), ("adam", new Adam(0.02f, 0.8f, 0.95f, 1e-6f, 0.03f)),
        ("adamw", new AdamW(0.02f, 0.85f, 0.9f, 1e-5f, 0.04f)), ("rmsprop", new RmsProp(0.03f, 0.9f, 1e-6f, 0.5f, centered: true, weightDecay: 0.02f)),
        ("adagrad", new Adagrad(0.04f, 0.1f, 1e-7f, 0.05f)),
    ];

    /// <summary>The JSON as a model file gives it back: written as text and parsed.</summary>
    private static JsonObject AsRead(JsonObject json) => (JsonObject)JsonNode.Parse(json.ToJsonString())!;

    [Fact]
    public void Every_built_in_layer_is_saved_by_its_type_name_and_recreated_from_its_config()
    {
        foreach (var (name, layer) in Layers())
        {
            var description = AsRead(LayerRegistry.Describe(layer));
            Assert.Equal(name, (string)description["type"]!);
            var again = LayerRegistry.Create(description);
            Assert.IsType(layer.GetType(), again);
            Assert.Equal(layer.Name, again.Name);
            Assert.Equal(layer.GetConfig().ToJsonString(), again.GetConfig().ToJsonString());
        }
    }

    [Fact]
    public void Every_built_in_loss_and_optimizer_is_saved_by_its_type_name_and_recreated_from_its_config()
    {
        foreach (var (name, loss) in Losses())
        {
            Assert.Equal(name, TypeRegistry.LossTypeName(loss));
            var again = TypeRegistry.CreateLoss(name, new LayerConfig(AsRead(loss.GetConfig() ?? new JsonObject()), "loss"));
            Assert.IsType(loss.GetType(), again);
            Assert.Equal(loss.GetConfig()?.ToJsonString(), again.GetConfig()?.ToJsonString());
        }
        foreach (var (name, optimizer) in Optimizers())
        {
            Assert.Equal(name, TypeRegistry.OptimizerTypeName(optimizer));
            var again = TypeRegistry.CreateOptimizer(name, new LayerConfig(AsRead(optimizer.GetConfig() ?? new JsonObject()), "optimizer"));
            Assert.IsType(optimizer.GetType(), again);
            Assert.Equal(optimizer.GetConfig()?.ToJsonString(), again.GetConfig()?.ToJsonString());
        }
    }

    [Fact]
    public void A_built_in_type_name_cannot_be_taken_by_a_registration()
    {
        foreach (var (name, _) in Layers())
            Assert.Contains($"'{name}' is a built-in layer type", Assert.Throws<ArgumentException>("typeName", () => TypeRegistry.RegisterLayer(c => new Dense(1), name)).Message);
        foreach (var (name, _) in Losses())
            Assert.Contains($"'{name}' is a built-in loss type", Assert.Throws<ArgumentException>("typeName", () => TypeRegistry.RegisterLoss(c => new MeanSquaredError(), name)).Message);
        foreach (var (name, _) in Optimizers())
            Assert.Contains($"'{name}' is a built-in optimizer type", Assert.Throws<ArgumentException>("typeName", () => TypeRegistry.RegisterOptimizer(c => new Sgd(1f), name)).Message);
        foreach (var metric in new[] { Metric.Accuracy, Metric.BinaryAccuracy, Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.Perplexity })
            Assert.Contains($"'{metric.Name}' is a built-in metric", Assert.Throws<ArgumentException>("create", () => TypeRegistry.RegisterMetric(() => metric)).Message);
        // The refusals replaced nothing: the built-in types still load as themselves.
        Assert.IsType<Lstm>(LayerRegistry.Create(AsRead(LayerRegistry.Describe(new Lstm(2)))));
        Assert.Equal("accuracy", TypeRegistry.CreateMetric("accuracy").Name);
    }
}
