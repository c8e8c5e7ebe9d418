using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Models;
using Recur.Optimizers;

namespace Recur.Serialization;

/// <summary>
/// The <c>.recur</c> model file: a safetensors file (readable by PyTorch's <c>safetensors</c>)
/// whose weights are named <c>{layer}.{parameter}</c> and whose <c>__metadata__</c> holds
/// <c>format = recur</c>, <c>format_version</c>, the <c>architecture</c> as JSON, and optionally
/// the <c>compile</c> settings and optimizer state (tensors <c>optimizer.*</c>, scalars in
/// <c>optimizer_scalars</c>) so that training resumes exactly.
/// </summary>
internal static class ModelFile
{
    /// <summary>2: adds functional models (class <c>Functional</c> with inputs, calls and outputs); files of version 1 still load.</summary>
    public const int FormatVersion = 2;
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>The key of the architecture that marks a quantised model; its one value.</summary>
    private const string QuantizationKey = "quantization", Int8Dynamic = "int8_dynamic";

    public static void Save(Model model, string path, bool includeOptimizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (tensors, metadata) = Contents(model, includeOptimizer);
        SafeTensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>A new model of the same architecture, weights and training settings (no optimizer state), through the bytes of its file.</summary>
    public static Model Copy(Model model)
    {
        var (tensors, metadata) = Contents(model, includeOptimizer: false);
        string name = $"(copy of model '{model.Name}')";
        return Load(SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(tensors, metadata), name), name);
    }

    private static (List<KeyValuePair<string, Tensor>> Tensors, Dictionary<string, string> Metadata) Contents(Model model, bool includeOptimizer)
    {
        if (!model.IsBuilt)
            throw new InvalidOperationException($"Model '{model.Name}' has no weights yet: build it (or fit it) before saving.");
        var architecture = new JsonObject
        {
            ["class"] = model.GetType().Name,
            ["name"] = model.Name,
            ["seed"] = model.Seed.ToString(CultureInfo.InvariantCulture),
            ["input_shape"] = new JsonArray(model.InputShape!.Select(d => (JsonNode)d).ToArray()),
            ["layers"] = new JsonArray(model.Layers.Select(l => (JsonNode)LayerRegistry.Describe(l)).ToArray()),
        };
        if (model is Functional functional) FunctionalGraphFile.Describe(functional, architecture);
        // The int8 weights are not stored: quantising the float32 weights again on load gives the same codes.
        if (model.IsQuantized) architecture[QuantizationKey] = Int8Dynamic;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "recur",
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["architecture"] = architecture.ToJsonString(),
        };
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var layer in model.Layers)
            foreach (var p in layer.Parameters)
                tensors.Add(new($"{layer.Name}.{p.Name}", p.Value));
        var compile = TrainingConfig.Describe(model.Losses, model.LossWeights, model.Optimizer, model.Metrics, model.OutputMetrics, model.ClipNorm, model.ClipValue);
        if (compile is not null)
        {
            metadata["compile"] = compile.ToJsonString();
            if (includeOptimizer)
            {
                var state = model.Optimizer!.ExportStateViews(model.Parameters); // written at once
                foreach (var (k, t) in state.Tensors) tensors.Add(new(OptimizerPrefix + k, t));
                var scalars = new JsonObject();
                foreach (var (k, v) in state.Scalars) scalars[k] = v;
                metadata["optimizer_scalars"] = scalars.ToJsonString();
            }
        }
        return (tensors, metadata);
    }

    public static Model Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        return Load(SafeTensorsFile.Read(path), path);
    }

    /// <summary>A model from an already read file; <paramref name="path"/> names it in messages.</summary>
    internal static Model Load(SafeTensorsFile file, string path)
    {
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != "recur")
            throw new ModelFormatException(path, "not a Recur model file (its metadata has no format = recur). " +
                                                 "To load PyTorch or Keras weights into a model, use ImportPyTorch or ImportKeras.");
        if (!meta.TryGetValue("format_version", out var versionText) || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw new ModelFormatException(path, $"format_version is '{versionText}'; expected an integer.");
        if (version > FormatVersion)
            throw new ModelFormatException(path, $"written with model format version {version}; this Recur reads up to version {FormatVersion}. Upgrade Recur to load it.");
        if (version < 1)
            throw new ModelFormatException(path, $"format_version is {version}; expected 1 or later.");

        Model model;
        bool quantized;
        try
        {
            // The layers allocate while the architecture is built: they may take only as much as
            // the weights present in the file justify, so a forged architecture fails here, not in an allocation.
            long weightBytes = file.Names.Where(n => !n.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).Sum(file.ByteSizeOf);
            long cap = Limits.ModelBuildBytesPerWeightByte * weightBytes + Limits.ModelBuildSlackBytes;
            using var budget = AllocationBudget.Open(cap, (needed, used) =>
                $"the architecture needs more memory than the {weightBytes:N0} bytes of weights in the file can fill " +
                $"(a tensor of {needed:N0} bytes after {used:N0} bytes); the architecture and the weights do not belong together.");
            var architecture = Json(path, meta, "architecture");
            quantized = Quantization(architecture);
            model = CreateModel(architecture);
            foreach (var layer in model.Layers) layer.ApplyFrozen();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or InvalidOperationException
                                      or KeyNotFoundException or NotSupportedException)
        {
            throw new ModelFormatException(path, "the architecture is invalid: " + e.Message, e);
        }

        LoadWeights(path, file, model);
        if (quantized) model.QuantizeInPlace();
        if (meta.ContainsKey("compile"))
        {
            try
            {
                var (losses, lossWeights, optimizer, metrics, outputMetrics, clipNorm, clipValue) = TrainingConfig.Read(Json(path, meta, "compile"));
                model.Compile(optimizer, losses, lossWeights, metrics, outputMetrics, clipNorm, clipValue);
                if (meta.ContainsKey("optimizer_scalars")) LoadOptimizer(path, file, model, Json(path, meta, "optimizer_scalars"));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ModelFormatException(path, "the training settings are invalid: " + e.Message, e);
            }
        }
        return model;
    }

    private static JsonObject Json(string path, IReadOnlyDictionary<string, string> meta, string key)
    {
        string text = meta[key];
        if (text.Length > Limits.MaxArchitectureJsonBytes)
            throw new ModelFormatException(path, $"metadata '{key}' is {text.Length:N0} characters long; Recur reads at most {Limits.MaxArchitectureJsonBytes:N0}.");
        try
        {
            // Duplicate keys are an error, not the last one silently winning.
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return node as JsonObject
                   ?? throw new ModelFormatException(path, $"metadata '{key}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"metadata '{key}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>True when the architecture marks an int8 model; absent is float32.</summary>
    private static bool Quantization(JsonObject arch)
    {
        if (arch[QuantizationKey] is null) return false;
        string value = new LayerConfig(arch, "model").String(QuantizationKey);
        return value == Int8Dynamic
            ? true
            : throw new InvalidDataException($"'{QuantizationKey}' is \"{Limits.Quote(value)}\"; expected \"{Int8Dynamic}\" (or no key, for float32).");
    }

    private static Model CreateModel(JsonObject arch)
    {
        var c = new LayerConfig(arch, "model");
        string cls = c.String("class");
        if (cls is not (nameof(Sequential) or nameof(Functional)))
            throw new InvalidDataException($"model class '{cls}' is unknown; expected Sequential or Functional.");
        string seedText = c.String("seed");
        if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new InvalidDataException($"'seed' is \"{Limits.Quote(seedText)}\"; expected a whole number from 0 to {ulong.MaxValue}.");
        var layerList = arch["layers"] as JsonArray ?? throw new InvalidDataException("'layers' is not an array.");
        if (layerList.Count is 0 or > Limits.MaxModelLayers)
            throw new InvalidDataException($"'layers' lists {layerList.Count} layers; expected 1 to {Limits.MaxModelLayers}.");
        var layers = layerList
            .Select(n => LayerRegistry.Create(n as JsonObject ?? throw new InvalidDataException("a layer entry is not an object.")))
            .ToArray();
        if (cls == nameof(Functional)) return FunctionalGraphFile.Create(arch, layers, seed, c.String("name"));
        var shapeList = arch["input_shape"] as JsonArray ?? throw new InvalidDataException("'input_shape' is not an array.");
        if (shapeList.Count == 0) throw new InvalidDataException("'input_shape' is empty; expected the per-sample shape, e.g. [-1] or [-1, 8].");
        // Only the first axis, time, may be free (-1); features and the like have a fixed size.
        var inputShape = shapeList
            .Select((n, i) => n is JsonValue v && v.TryGetValue<int>(out int d) && (d > 0 || (d == -1 && i == 0)) ? d
                : throw new InvalidDataException($"input_shape entry {i} is {Limits.Quote(n?.ToJsonString() ?? "null")}; expected " +
                                                 (i == 0 ? "a positive integer, or -1 for a free time axis." : "a positive integer (only the first axis, time, may be -1).")))
            .ToArray();
        var model = new Sequential(seed, c.String("name"), layers);
        // A free time axis is built with length 1; the layers keep it free.
        model.Build(inputShape.Select(d => d == -1 ? 1 : d).ToArray());
        return model;
    }

    private static void LoadWeights(string path, SafeTensorsFile file, Model model)
    {
        var expected = new HashSet<string>();
        foreach (var layer in model.Layers)
        {
            foreach (var p in layer.Parameters)
            {
                string name = $"{layer.Name}.{p.Name}";
                expected.Add(name);
                if (!file.Contains(name))
                    throw new ModelFormatException(path, $"tensor '{name}' is missing; the architecture needs it with shape {Tensor.ShapeString(p.Value.Shape)}.");
                if (file.DtypeOf(name) != "F32")
                    throw new ModelFormatException(path, $"tensor '{name}' has dtype {file.DtypeOf(name)}; model files store F32.");
                var shape = file.ShapeOf(name);
                if (!p.Value.SameShape(shape))
                    throw new ModelFormatException(path, $"tensor '{name}' has shape {Tensor.ShapeString(shape)}; the architecture needs {Tensor.ShapeString(p.Value.Shape)}.");
                var value = file.Get(name);
                if (FiniteCheck.Problem(value) is { } problem)
                    throw new ModelFormatException(path, $"tensor '{name}' {problem}; a model file holds finite weights. The model diverged before it was saved, or the file is corrupt.");
                p.Value.CopyFrom(value);
            }
        }
        var extra = file.Names.FirstOrDefault(n => !expected.Contains(n) && !n.StartsWith(OptimizerPrefix, StringComparison.Ordinal));
        if (extra is not null)
            throw new ModelFormatException(path, $"tensor '{extra}' belongs to no layer of the architecture.");
    }

    private static void LoadOptimizer(string path, SafeTensorsFile file, Model model, JsonObject scalarsJson)
    {
        var tensors = file.Names.Where(n => n.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .Select(n => new KeyValuePair<string, Tensor>(n[OptimizerPrefix.Length..], file.Get(n))).ToList();
        foreach (var (name, t) in tensors)
            if (FiniteCheck.Problem(t) is { } problem)
                throw new InvalidDataException($"optimizer tensor '{name}' {problem}.");
        var scalars = scalarsJson.Select(kv => new KeyValuePair<string, double>(kv.Key,
            kv.Value is JsonValue v && v.TryGetValue<double>(out double d) && double.IsFinite(d) ? d
                : throw new InvalidDataException($"optimizer scalar '{kv.Key}' is not a finite number."))).ToList();
        model.Optimizer!.ImportState(model.Parameters, new OptimizerState(model.Optimizer.Name, tensors, scalars));
    }
}
