using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Serialization;

namespace Recur.Models.Seq2Seq;

/// <summary>
/// Saves and loads an <see cref="EncoderDecoder"/>'s options and weights as one safetensors file:
/// weights named <c>{part}.{parameter}</c> (e.g. <c>encoder.weight_ih_l0_reverse</c>), metadata
/// <c>format</c> = <c>recur-encoder-decoder</c>, <c>format_version</c> and <c>options</c> (JSON).
/// </summary>
/// <remarks>
/// Version 1: the first layout. Version 2: the same layout for a network with input feeding
/// (its decoder reads E + H_d features), written only for such a network, so that a reader
/// of version 1 refuses it by its version instead of by a tensor's shape.
/// </remarks>
public static class EncoderDecoderFile
{
    /// <summary>The metadata value of <c>format</c>.</summary>
    public const string Format = "recur-encoder-decoder";

    /// <summary>Writes <paramref name="network"/> (built) to <paramref name="path"/> atomically.</summary>
    public static void Save(EncoderDecoder network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!network.IsBuilt) throw new InvalidOperationException($"Layer '{network.Name}' is not built; there are no weights to save.");
        var tensors = network.Parts.SelectMany(l => l.Parameters.Select(p => new KeyValuePair<string, Tensor>($"{l.Name}.{p.Name}", p.Value)));
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = network.Options.InputFeeding ? "2" : "1",
            ["options"] = network.Options.ToJson().ToJsonString(),
        });
    }

    /// <summary>Reads a file written by <see cref="Save"/>, checking the format, the options and every tensor's shape.</summary>
    /// <exception cref="ModelFormatException">The file is not an encoder–decoder file or does not fit its options; the message says what is wrong.</exception>
    public static EncoderDecoder Load(string path)
    {
        var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new ModelFormatException(path, $"metadata 'format' is '{format ?? "(none)"}'; expected '{Format}' (a file written by EncoderDecoderFile.Save).");
        if (!file.Metadata.TryGetValue("format_version", out var version) || version is not ("1" or "2"))
            throw new ModelFormatException(path, $"format_version is '{version ?? "(none)"}'; this version of Recur reads versions 1 and 2.");
        EncoderDecoder network;
        try
        {
            var options = EncoderDecoderOptions.FromJson(JsonNode.Parse(file.Metadata.GetValueOrDefault("options") ?? "") as JsonObject
                ?? throw new InvalidDataException("'options' is not a JSON object."));
            network = new EncoderDecoder(options);
            network.Build([options.SourceSteps + options.TargetSteps]);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ModelFormatException(path, $"the options are invalid: {e.Message}", e);
        }
        var expected = network.Parts.SelectMany(l => l.Parameters.Select(p => ($"{l.Name}.{p.Name}", p))).ToList();
        var missing = expected.Where(e => !file.Contains(e.Item1)).Select(e => e.Item1).ToList();
        var unused = file.Names.Except(expected.Select(e => e.Item1)).ToList();
        if (missing.Count > 0 || unused.Count > 0)
            throw new ModelFormatException(path, $"the weights do not fit the options: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unused)}].");
        foreach (var (name, p) in expected)
        {
            var shape = file.ShapeOf(name);
            if (!p.Value.SameShape(shape))
                throw new ModelFormatException(path, $"tensor '{name}' has shape {Tensor.ShapeString(shape)}; the options make it {Tensor.ShapeString(p.Value.Shape)}.");
            p.Value.CopyFrom(file.Get(name));
        }
        return network;
    }
}
