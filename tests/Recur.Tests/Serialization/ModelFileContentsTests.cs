using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// The contents of a model file beyond its architecture: weights stored as F32, optimizer state
/// that is finite, compile settings the constructors accept, a quantisation mark that is a string.
/// </summary>
public class ModelFileContentsTests
{
    private static string Compiled(TempDirectory dir)
    {
        string path = dir.File("compiled.recur");
        var model = ModelFileBytes.LstmDense();
        model.Compile(new Sgd(0.1f), new MeanSquaredError());
        model.Save(path);
        return path;
    }

    private static ModelFormatException Refused(string path) => Assert.Throws<ModelFormatException>(() => Model.Load(path));

    [Fact]
    public void A_weight_stored_as_f64_is_refused_since_model_files_store_f32()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f64.recur");
        ModelFileBytes.LstmDense().Save(path);
        var file = SafeTensorsFile.Read(path);
        var header = new JsonObject { ["__metadata__"] = new JsonObject(file.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        var data = new List<byte>();
        foreach (string name in file.Names)
        {
            bool wide = name == "dense.bias";
            var bytes = new byte[(wide ? 8 : 4) * file.Get(name).Length];
            int begin = data.Count;
            data.AddRange(bytes);
            header[name] = new JsonObject
            {
                ["dtype"] = wide ? "F64" : "F32",
                ["shape"] = new JsonArray(file.ShapeOf(name).Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Count),
            };
        }
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header.ToJsonString(), data.ToArray()));

        Assert.Equal($"{path}: tensor 'dense.bias' has dtype F64; model files store F32.", Refused(path).Message);
    }

    [Fact]
    public void A_non_finite_optimizer_tensor_is_refused_with_its_name()
    {
        using var dir = new TempDirectory();
        string path = Compiled(dir);
        var nan = Tensor.Full(float.NaN, 2);
        ModelFileBytes.Forge(Model.Load(path), path, tensors: list => [.. list, KeyValuePair.Create("optimizer.velocity", nan)]);

        Assert.Equal($"{path}: the training settings are invalid: optimizer tensor 'velocity' holds 2 non-finite values; the first is NaN, element 0.", Refused(path).Message);
    }

    [Fact]
    public void A_non_finite_optimizer_scalar_is_refused_with_its_name()
    {
        using var dir = new TempDirectory();
        string path = Compiled(dir);
        ModelFileBytes.RewriteMetadata(path, m => m["optimizer_scalars"] = "{\"step\": \"many\"}");

        Assert.Equal($"{path}: the training settings are invalid: optimizer scalar 'step' is not a finite number.", Refused(path).Message);
    }

    [Fact]
    public void Compile_settings_a_constructor_refuses_are_invalid_training_settings()
    {
        using var dir = new TempDirectory();
        string path = Compiled(dir);
        ModelFileBytes.RewriteMetadata(path, m =>
        {
            var compile = (JsonObject)JsonNode.Parse(m["compile"])!;
            compile["optimizer"]!["learning_rate"] = -1;
            m["compile"] = compile.ToJsonString();
        });

        var e = Refused(path);

        Assert.StartsWith($"{path}: the training settings are invalid: ", e.Message);
        Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void A_quantisation_mark_that_is_not_a_string_is_named_as_the_models_key()
        => Assert.Equal("Layer 'model': configuration key 'quantization' should be a string; found 8.",
            ModelFileBytes.ArchitectureRefusal(ModelFileBytes.LstmDense(), a => a["quantization"] = 8));
}
