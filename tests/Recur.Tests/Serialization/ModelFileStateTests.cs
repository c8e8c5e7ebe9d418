using Recur.Layers;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// What a model file keeps besides the weights (frozen layers, int8 quantisation), and the
/// memory budget of loading: as large as the weights justify, and no larger.
/// </summary>
public class ModelFileStateTests
{
    private static readonly Tensor Steps = new([0.5f, -1f, 2f, 0.25f, 1f, -0.5f, 0f, 3f, -2f, 1.5f, 0.75f, -0.25f], 2, 2, 3);

    private static Model SavedAndLoaded(Model model)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.recur");
        model.Save(path);
        return Model.Load(path);
    }

    [Fact]
    public void A_frozen_layer_loads_frozen_and_the_others_trainable()
    {
        var model = ModelFileBytes.LstmDense();
        model.Layers[0].Trainable = false;

        var loaded = SavedAndLoaded(model);

        Assert.False(loaded.Layers[0].Trainable);
        Assert.All(loaded.Layers[0].Parameters, p => Assert.False(p.Trainable, p.Name));
        Assert.True(loaded.Layers[1].Trainable);
    }

    [Fact]
    public void A_quantised_model_loads_quantised_and_predicts_the_same()
    {
        var int8 = ModelFileBytes.LstmDense().Quantize();

        var loaded = SavedAndLoaded(int8);

        Assert.True(loaded.IsQuantized);
        Assert.Equal(int8.Predict(Steps).ToArray(), loaded.Predict(Steps).ToArray());
    }

    [Fact]
    public void Weights_larger_than_the_slack_load_since_the_budget_grows_with_them()
    {
        // 40 000 × 64 floats = 10 MB of weights; built with its gradient, 20 MB: more than the slack alone.
        var model = new Sequential(1, new Embedding(40_000, 64, name: "embedding"));
        model.Build(-1);
        Assert.True(2 * 4L * 40_000 * 64 > Limits.ModelBuildSlackBytes);

        var loaded = SavedAndLoaded(model);

        Assert.Equal(model.Layers[0].Parameters[0].Value.ToArray(), loaded.Layers[0].Parameters[0].Value.ToArray());
    }

    [Fact]
    public void An_architecture_beyond_the_budget_is_told_with_the_bytes_of_the_file_and_of_the_tensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("forged.recur");
        var model = new Sequential(1, new Embedding(10, 4, name: "embedding"), new Dense(2, name: "dense"));
        model.Build(-1);
        ModelFileBytes.Forge(model, path, a => ModelFileBytes.Config(a, 0)["input_dim"] = 20_000_000);
        long weightBytes = 4 * (10 * 4 + 2 * 4 + 2);

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));

        Assert.Equal($"{path}: the architecture is invalid: the architecture needs more memory than the {weightBytes:N0} bytes of weights in the file can fill " +
                     $"(a tensor of {4L * 20_000_000 * 4:N0} bytes after {0:N0} bytes); the architecture and the weights do not belong together.", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }
}
