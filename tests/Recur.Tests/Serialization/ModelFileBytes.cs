using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>Forges <c>.recur</c> files: a real model saved, then its architecture or tensors rewritten.</summary>
internal static class ModelFileBytes
{
    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/>, then rewrites it with the
    /// architecture changed by <paramref name="architecture"/> and the tensors by <paramref name="tensors"/>.
    /// </summary>
    public static void Forge(Model model, string path, Action<JsonObject>? architecture = null,
        Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>>? tensors = null)
    {
        model.Save(path);
        var file = SafeTensorsFile.Read(path);
        var meta = file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var arch = (JsonObject)JsonNode.Parse(meta["architecture"])!;
        architecture?.Invoke(arch);
        meta["architecture"] = arch.ToJsonString();
        var list = file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))).ToList();
        SafeTensorsWriter.Write(path, tensors?.Invoke(list) ?? list, meta);
    }

    /// <summary>The config object of layer <paramref name="index"/> (inside a wrapper, its inner layer's).</summary>
    public static JsonObject Config(JsonObject architecture, int index)
    {
        var config = (JsonObject)architecture["layers"]![index]!["config"]!;
        return config["layer"] is JsonObject inner ? (JsonObject)inner["config"]! : config;
    }

    /// <summary>Lstm(2) → Dense(1) built over per-sample shape (−1, 3): a free time axis and a feature axis.</summary>
    public static Sequential LstmDense()
    {
        var model = new Sequential(1, new Lstm(2, name: "lstm"), new Dense(1, name: "dense"));
        model.Build(-1, 3);
        return model;
    }

    /// <summary>
    /// Saves <paramref name="model"/> with its architecture changed by <paramref name="architecture"/>, loads it,
    /// and returns what the load says is wrong with the architecture (after "the architecture is invalid: ").
    /// </summary>
    public static string ArchitectureRefusal(Model model, Action<JsonObject> architecture)
    {
        using var dir = new TempDirectory();
        string path = dir.File("forged.recur");
        Forge(model, path, architecture);
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        string prefix = $"{path}: the architecture is invalid: ";
        Assert.StartsWith(prefix, e.Message);
        return e.Message[prefix.Length..];
    }

    /// <summary>Rewrites the saved model file at <paramref name="path"/> with its metadata changed by <paramref name="metadata"/>.</summary>
    public static void RewriteMetadata(string path, Action<Dictionary<string, string>> metadata)
    {
        var file = SafeTensorsFile.Read(path);
        var meta = file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata(meta);
        SafeTensorsWriter.Write(path, file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))).ToList(), meta);
    }
}
