using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// The ways into and out of a model file: paths and models checked first, files that are no
/// Recur model or whose metadata is not one JSON object refused with the file named.
/// </summary>
public class ModelFileEntryTests
{
    private static string Saved(TempDirectory dir, Action<Dictionary<string, string>> metadata)
    {
        string path = dir.File("model.recur");
        ModelFileBytes.LstmDense().Save(path);
        ModelFileBytes.RewriteMetadata(path, metadata);
        return path;
    }

    [Fact]
    public void Saving_or_loading_without_a_path_is_refused_by_its_argument_name()
    {
        var model = ModelFileBytes.LstmDense();
        Assert.Throws<ArgumentNullException>("path", () => model.Save(null!));
        Assert.Throws<ArgumentException>("path", () => model.Save(""));
        Assert.Throws<ArgumentNullException>("path", () => Model.Load(null!));
        Assert.Throws<ArgumentException>("path", () => Model.Load(""));
    }

    [Fact]
    public void Loading_a_file_that_does_not_exist_names_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("absent.recur");

        var e = Assert.Throws<FileNotFoundException>(() => Model.Load(path));

        Assert.Equal($"Model file '{path}' does not exist.", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void Saving_a_model_without_weights_says_to_build_it()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(0UL, "unbuilt", new Dense(2));

        var e = Assert.Throws<InvalidOperationException>(() => model.Save(dir.File("m.recur")));

        Assert.Equal("Model 'unbuilt' has no weights yet: build it (or fit it) before saving.", e.Message);
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void A_file_of_another_format_is_no_model_file_and_the_message_says_what_to_use()
    {
        using var dir = new TempDirectory();
        string path = Saved(dir, m => m["format"] = "keras");

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));

        Assert.Equal($"{path}: not a Recur model file (its metadata has no format = recur). " +
                     "To load PyTorch or Keras weights into a model, use ImportPyTorch or ImportKeras.", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void An_architecture_of_exactly_the_largest_length_loads_and_one_character_more_is_refused()
    {
        using var dir = new TempDirectory();
        string longest = Saved(dir, m => m["architecture"] = m["architecture"].PadRight(Limits.MaxArchitectureJsonBytes));
        Assert.Equal(2, Model.Load(longest).Layers.Count);

        string tooLong = Saved(dir, m => m["architecture"] = m["architecture"].PadRight(Limits.MaxArchitectureJsonBytes + 1));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(tooLong));
        Assert.Equal($"{tooLong}: metadata 'architecture' is {Limits.MaxArchitectureJsonBytes + 1:N0} characters long; " +
                     $"Recur reads at most {Limits.MaxArchitectureJsonBytes:N0}.", e.Message);
    }

    [Fact]
    public void An_architecture_naming_a_key_twice_is_invalid_json_not_the_last_value_winning()
    {
        using var dir = new TempDirectory();
        string path = Saved(dir, m => m["architecture"] = "{\"name\": \"a\", " + m["architecture"][1..]);

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));

        Assert.StartsWith($"{path}: metadata 'architecture' is not valid JSON: ", e.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void An_architecture_that_is_not_a_json_object_is_refused()
    {
        using var dir = new TempDirectory();
        string path = Saved(dir, m => m["architecture"] = "[1, 2]");

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));

        Assert.Equal($"{path}: metadata 'architecture' is not a JSON object.", e.Message);
    }

    [Fact]
    public void Invalid_training_settings_are_a_format_error_that_says_so()
    {
        using var dir = new TempDirectory();
        string path = dir.File("compiled.recur");
        var model = ModelFileBytes.LstmDense();
        model.Compile(new Sgd(0.1f), new MeanSquaredError());
        model.Save(path);
        ModelFileBytes.RewriteMetadata(path, m => m["compile"] = m["compile"].Replace("\"sgd\"", "\"lion\""));

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));

        Assert.StartsWith($"{path}: the training settings are invalid: ", e.Message);
        Assert.Contains("has unknown type 'lion'", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }
}
