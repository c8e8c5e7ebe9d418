using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Each check of a model file's architecture, with the exact sentence that names what is wrong
/// and what was expected; the limits are inclusive.
/// </summary>
public class ModelFileArchitectureTests
{
    private static string Refusal(Action<JsonObject> architecture) => ModelFileBytes.ArchitectureRefusal(ModelFileBytes.LstmDense(), architecture);

    public static TheoryData<string, string> InputShapes => new()
    {
        { "[0, 3]", "input_shape entry 0 is 0; expected a positive integer, or -1 for a free time axis." },
        { "[-1, 0]", "input_shape entry 1 is 0; expected a positive integer (only the first axis, time, may be -1)." },
        { "[null, 3]", "input_shape entry 0 is null; expected a positive integer, or -1 for a free time axis." },
        { "[-1, \"3\"]", "input_shape entry 1 is \"3\"; expected a positive integer (only the first axis, time, may be -1)." },
        { "[]", "'input_shape' is empty; expected the per-sample shape, e.g. [-1] or [-1, 8]." },
        { "{}", "'input_shape' is not an array." },
    };

    [Theory]
    [MemberData(nameof(InputShapes))]
    public void An_input_shape_other_than_positive_sizes_after_a_free_time_axis_is_refused(string shape, string expected)
        => Assert.Equal(expected, Refusal(a => a["input_shape"] = JsonNode.Parse(shape)));

    [Fact]
    public void The_model_class_must_be_given_and_known()
    {
        Assert.Equal("Layer 'model': configuration key 'class' is missing.", Refusal(a => a.Remove("class")));
        Assert.Equal("model class 'Transformer' is unknown; expected Sequential or Functional.", Refusal(a => a["class"] = "Transformer"));
    }

    [Fact]
    public void The_layers_must_be_an_array_of_objects_of_a_bounded_length()
    {
        Assert.Equal("'layers' is not an array.", Refusal(a => a["layers"] = "lstm"));
        Assert.Equal("a layer entry is not an object.", Refusal(a => ((JsonArray)a["layers"]!).Add(3)));
        Assert.Equal($"'layers' lists {Limits.MaxModelLayers + 1} layers; expected 1 to {Limits.MaxModelLayers}.",
            Refusal(a => a["layers"] = new JsonArray(Enumerable.Range(0, Limits.MaxModelLayers + 1).Select(_ => (JsonNode)1).ToArray())));
    }

    [Fact]
    public void As_many_layers_as_the_limit_load()
    {
        using var dir = new TempDirectory();
        string path = dir.File("forged.recur");
        ModelFileBytes.Forge(ModelFileBytes.LstmDense(), path, a =>
        {
            var layers = (JsonArray)a["layers"]!;
            for (int i = layers.Count; i < Limits.MaxModelLayers; i++)
                layers.Add(new JsonObject { ["type"] = "Dropout", ["name"] = $"drop{i}", ["config"] = new Dropout(0.5f).GetConfig() });
        });

        Assert.Equal(Limits.MaxModelLayers, Model.Load(path).Layers.Count);
    }

    [Fact]
    public void A_quantization_other_than_int8_dynamic_is_refused()
        => Assert.Equal("'quantization' is \"int4\"; expected \"int8_dynamic\" (or no key, for float32).", Refusal(a => a["quantization"] = "int4"));

    [Fact]
    public void A_free_time_axis_and_a_fixed_feature_axis_load_as_saved()
    {
        using var dir = new TempDirectory();
        var model = ModelFileBytes.LstmDense();
        string path = dir.File("sequence.recur");
        model.Save(path);
        var x = new Tensor([0.5f, -1f, 2f, 0.25f, 1f, -0.5f, 0f, 3f, -2f, 1.5f, 0.75f, -0.25f], 2, 2, 3);

        var loaded = Model.Load(path);

        Assert.Equal([-1, 3], loaded.InputShape!);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
    }
}
