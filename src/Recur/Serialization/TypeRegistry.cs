using System.Collections.Concurrent;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Serialization;

/// <summary>
/// The types a model file may name, each with the factory that recreates it from its saved
/// configuration (Keras' <c>register_keras_serializable</c> with <c>from_config</c>). The
/// built-in layers, losses, optimizers and metrics are registered here; a user-defined one is
/// registered once (at start-up) and then trains, saves and loads like a built-in one.
/// Loading never runs code a file names: only registered factories.
/// </summary>
/// <example>
/// <code>
/// TypeRegistry.RegisterLayer(c => new Scale(c.Float("factor"), c.LayerName));
/// model.Save("m.recur");            // Scale.GetConfig() writes {"factor": …}
/// var again = Model.Load("m.recur"); // the factory reads it back
/// </code>
/// </example>
public static class TypeRegistry
{
    private static readonly Registry<Layer> LayerTypes = new("layer");
    private static readonly Registry<Loss> LossTypes = new("loss");
    private static readonly Registry<Optimizer> OptimizerTypes = new("optimizer");
    private static readonly ConcurrentDictionary<string, Func<Metric>> MetricTypes = new();

    static TypeRegistry()
    {
        LayerTypes.Add<Lstm>(Lstm.FromConfig, builtIn: true);
        LayerTypes.Add<Gru>(Gru.FromConfig, builtIn: true);
        LayerTypes.Add<SimpleRnn>(SimpleRnn.FromConfig, builtIn: true);
        LayerTypes.Add<Dense>(Dense.FromConfig, builtIn: true);
        LayerTypes.Add<Embedding>(Embedding.FromConfig, builtIn: true);
        LayerTypes.Add<Dropout>(Dropout.FromConfig, builtIn: true);
        LayerTypes.Add<Masking>(Masking.FromConfig, builtIn: true);
        LayerTypes.Add<Bidirectional>(Bidirectional.FromConfig, builtIn: true);
        LayerTypes.Add<TimeDistributed>(TimeDistributed.FromConfig, builtIn: true);
        LayerTypes.Add<GlobalMaxPooling1D>(GlobalMaxPooling1D.FromConfig, builtIn: true);
        LayerTypes.Add<Concatenate>(Concatenate.FromConfig, builtIn: true);
        LayerTypes.Add<Add>(Add.FromConfig, builtIn: true);
        LayerTypes.Add<Multiply>(Multiply.FromConfig, builtIn: true);
        LayerTypes.Add<StepCell>(StepCell.FromConfig, builtIn: true);

        // Losses and optimizers keep the type names model files have used since version 1.
        LossTypes.Add<MeanSquaredError>(_ => new MeanSquaredError(), builtIn: true, "mse");
        LossTypes.Add<MeanAbsoluteError>(_ => new MeanAbsoluteError(), builtIn: true, "mae");
        LossTypes.Add<Huber>(c => new Huber(c.Float("delta")), builtIn: true, "huber");
        LossTypes.Add<BinaryCrossEntropy>(c => new BinaryCrossEntropy(c.Bool("from_logits")), builtIn: true, "binary_crossentropy");
        LossTypes.Add<SparseCategoricalCrossEntropy>(c => new SparseCategoricalCrossEntropy(c.Bool("from_logits")), builtIn: true, "sparse_categorical_crossentropy");
        LossTypes.Add<LabelSmoothedCrossEntropy>(c => new LabelSmoothedCrossEntropy(c.Float("epsilon")), builtIn: true, "label_smoothed_crossentropy");
        LossTypes.Add<Ctc>(c => new Ctc(c.Int("blank", min: 0), c.Enum<CtcReduction>("reduction"), c.Bool("zero_infinity")), builtIn: true, "ctc");

        OptimizerTypes.Add<Sgd>(c => new Sgd(c.Float("learning_rate"), c.Float("momentum"), c.Bool("nesterov"), c.Float("weight_decay")), builtIn: true, "sgd");
        OptimizerTypes.Add<Adam>(c => new Adam(c.Float("learning_rate"), c.Float("beta1"), c.Float("beta2"), c.Float("eps"), c.Float("weight_decay")), builtIn: true, "adam");
        OptimizerTypes.Add<AdamW>(c => new AdamW(c.Float("learning_rate"), c.Float("beta1"), c.Float("beta2"), c.Float("eps"), c.Float("weight_decay")), builtIn: true, "adamw");
        OptimizerTypes.Add<RmsProp>(c => new RmsProp(c.Float("learning_rate"), c.Float("alpha"), c.Float("eps"), c.Float("momentum"), c.Bool("centered"), c.Float("weight_decay")), builtIn: true, "rmsprop");
        OptimizerTypes.Add<Adagrad>(c => new Adagrad(c.Float("learning_rate"), c.Float("initial_accumulator"), c.Float("eps"), c.Float("weight_decay")), builtIn: true, "adagrad");

        foreach (var create in new Func<Metric>[] { () => Metric.Accuracy, () => Metric.BinaryAccuracy, () => Metric.MeanAbsoluteError, () => Metric.RootMeanSquaredError, () => Metric.Perplexity })
            MetricTypes[create().Name] = create;
    }

    /// <summary>
    /// Registers a layer type under <paramref name="typeName"/> (default: the class name): a model
    /// file names the type and holds the layer's <see cref="Layer.GetConfig"/>, which
    /// <paramref name="fromConfig"/> turns back into the layer (pass it <see cref="LayerConfig.LayerName"/>).
    /// Registering a name again replaces the factory.
    /// </summary>
    /// <exception cref="ArgumentException">The name is a built-in type's.</exception>
    public static void RegisterLayer<T>(Func<LayerConfig, T> fromConfig, string? typeName = null) where T : Layer
        => LayerTypes.Add(fromConfig, builtIn: false, typeName);

    /// <summary>Registers a loss type (see <see cref="RegisterLayer{T}"/>); its <see cref="Loss.GetConfig"/> is saved with a compiled model.</summary>
    /// <exception cref="ArgumentException">The name is a built-in type's.</exception>
    public static void RegisterLoss<T>(Func<LayerConfig, T> fromConfig, string? typeName = null) where T : Loss
        => LossTypes.Add(fromConfig, builtIn: false, typeName);

    /// <summary>Registers an optimizer type (see <see cref="RegisterLayer{T}"/>); its <see cref="Optimizer.GetConfig"/> is saved with a compiled model.</summary>
    /// <exception cref="ArgumentException">The name is a built-in type's.</exception>
    public static void RegisterOptimizer<T>(Func<LayerConfig, T> fromConfig, string? typeName = null) where T : Optimizer
        => OptimizerTypes.Add(fromConfig, builtIn: false, typeName);

    /// <summary>Registers a metric by its <see cref="Metric.Name"/>: a compiled model saves the names of its metrics, and loading creates fresh ones with <paramref name="create"/>.</summary>
    /// <exception cref="ArgumentException">The name is a built-in metric's.</exception>
    public static void RegisterMetric(Func<Metric> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        string name = create().Name;
        if (name is "accuracy" or "binary_accuracy" or "mae" or "rmse" or "perplexity")
            throw new ArgumentException($"'{name}' is a built-in metric; give the metric another name.", nameof(create));
        MetricTypes[name] = create;
    }

    internal static string LayerTypeName(Layer layer) => LayerTypes.NameOf(layer);

    internal static Layer CreateLayer(string type, LayerConfig config) => LayerTypes.Create(type, config);

    internal static string? LossTypeName(Loss loss) => LossTypes.TryNameOf(loss);

    internal static Loss CreateLoss(string type, LayerConfig config) => LossTypes.Create(type, config);

    internal static string? OptimizerTypeName(Optimizer optimizer) => OptimizerTypes.TryNameOf(optimizer);

    internal static Optimizer CreateOptimizer(string type, LayerConfig config) => OptimizerTypes.Create(type, config);

    internal static Metric CreateMetric(string? name)
        => name is not null && MetricTypes.TryGetValue(name, out var create) ? create()
            : throw new InvalidDataException($"Unknown metric '{name}' in the model file; known: {string.Join(", ", MetricTypes.Keys.Order(StringComparer.Ordinal))} (register others with TypeRegistry.RegisterMetric).");

    /// <summary>Type names ↔ factories of one kind of object.</summary>
    private sealed class Registry<TBase>(string kind) where TBase : class
    {
        private readonly ConcurrentDictionary<string, Func<LayerConfig, TBase>> _factories = new();
        private readonly ConcurrentDictionary<Type, string> _names = new();
        private readonly ConcurrentDictionary<string, bool> _builtIn = new();

        public void Add<T>(Func<LayerConfig, T> fromConfig, bool builtIn, string? typeName = null) where T : TBase
        {
            ArgumentNullException.ThrowIfNull(fromConfig);
            string name = string.IsNullOrEmpty(typeName) ? typeof(T).Name : typeName;
            if (!builtIn && _builtIn.ContainsKey(name))
                throw new ArgumentException($"'{name}' is a built-in {kind} type; register {typeof(T).Name} under another name.", nameof(typeName));
            _factories[name] = c => fromConfig(c);
            _names[typeof(T)] = name;
            if (builtIn) _builtIn[name] = true;
        }

        public string? TryNameOf(TBase value) => _names.TryGetValue(value.GetType(), out var name) ? name : null;

        public string NameOf(TBase value)
            => TryNameOf(value) ?? throw new NotSupportedException(
                $"{char.ToUpperInvariant(kind[0])}{kind[1..]} type {value.GetType().Name} is not registered; register it with TypeRegistry.Register{char.ToUpperInvariant(kind[0])}{kind[1..]} to save it.");

        public TBase Create(string type, LayerConfig config)
            => _factories.TryGetValue(type, out var factory) ? factory(config)
                : throw new InvalidDataException(
                    $"{char.ToUpperInvariant(kind[0])}{kind[1..]} '{config.LayerName}' has unknown type '{Limits.Quote(type)}'; known types: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.");
    }
}
