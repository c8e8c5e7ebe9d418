using System.Globalization;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Checks that the committed PyTorch fixture files (tests/fixtures/torch, torch_packed and torch_proj, made by
/// tools/make_torch_fixtures.py, and torch_layernorm, made by tools/make_layernorm_fixtures.py) are complete and self-consistent: metadata present, exactly the
/// expected tensors, and every shape agreeing with the metadata. The layer parity tests rely on this.
/// </summary>
public class TorchFixtureFileTests
{
    private static readonly string[] MetadataKeys =
        { "cell", "input_size", "hidden_size", "num_layers", "bidirectional", "batch_first", "batch", "seq_len" };

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in new[] { "torch", "torch_packed", "torch_proj", "torch_layernorm" })
            if (Directory.Exists(Folder(folder)))
                foreach (string file in Directory.GetFiles(Folder(folder), "*.safetensors").Order(StringComparer.Ordinal))
                    data.Add(folder, Path.GetFileName(file));
        return data;
    }

    [Theory]
    [InlineData("torch", 25)]
    [InlineData("torch_packed", 6)]
    [InlineData("torch_proj", 9)]
    [InlineData("torch_layernorm", 14)]
    public void Fixture_folder_is_copied_to_the_test_output(string folder, int atLeast)
    {
        Assert.True(Directory.Exists(Folder(folder)), $"{Folder(folder)} is missing; regenerate with tools/make_torch_fixtures.py");
        int count = Directory.GetFiles(Folder(folder), "*.safetensors").Length;
        Assert.True(count >= atLeast, $"{folder} holds {count} fixture files; expected at least {atLeast}.");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_has_metadata_and_shapes_consistent_with_it(string folder, string fileName)
    {
        var file = SafeTensorsFile.Read(Path.Combine(Folder(folder), fileName));
        foreach (string key in MetadataKeys)
            Assert.True(file.Metadata.ContainsKey(key), $"{fileName}: metadata lacks '{key}'");

        string cell = file.Metadata["cell"];
        int gates = cell switch { "lstm" => 4, "gru" => 3, "rnn_tanh" or "rnn_relu" => 1, _ => throw new Xunit.Sdk.XunitException($"{fileName}: unknown cell '{cell}'") };
        int inputs = Positive(file, "input_size"), hidden = Positive(file, "hidden_size"), layers = Positive(file, "num_layers");
        int batch = Positive(file, "batch"), steps = Positive(file, "seq_len");
        Assert.Contains(file.Metadata["bidirectional"], new[] { "true", "false" });
        Assert.Equal("true", file.Metadata["batch_first"]);
        int directions = file.Metadata["bidirectional"] == "true" ? 2 : 1;
        bool packed = file.Names.Contains("lengths");
        Assert.Equal(folder == "torch_proj", file.Metadata.ContainsKey("proj_size"));
        int proj = file.Metadata.ContainsKey("proj_size") ? Positive(file, "proj_size") : 0;
        Assert.True(proj < hidden, $"{fileName}: proj_size {proj} is not below hidden_size {hidden}");

        bool layerNorm = folder == "torch_layernorm";
        Assert.Equal(layerNorm, file.Metadata.TryGetValue("layer_norm", out var ln) && ln == "true");
        var expected = ExpectedShapes(cell == "lstm", gates, inputs, hidden, layers, directions, batch, steps, packed, proj, layerNorm);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), file.Names.Order(StringComparer.Ordinal));
        foreach (var (name, shape) in expected)
        {
            Assert.True(shape.AsSpan().SequenceEqual(file.ShapeOf(name)),
                $"{fileName}: '{name}' has shape {Tensor.ShapeString(file.ShapeOf(name))}; expected {Tensor.ShapeString(shape)}");
            Assert.Equal("F32", file.DtypeOf(name));
            file.Get(name).ThrowIfNonFinite($"{fileName}:{name}");
        }
        if (packed) CheckPadding(file, fileName, batch, steps);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Rewriting_a_fixture_with_SafeTensorsWriter_reproduces_the_python_file_byte_for_byte(string folder, string fileName)
    {
        // The generator writes compact JSON, fields in the order dtype, shape, data_offsets, and
        // space padding, as SafeTensorsWriter does: an independent check of the writer's layout.
        string path = Path.Combine(Folder(folder), fileName);
        var file = SafeTensorsFile.Read(path);
        byte[] rewritten = SafeTensorsWriter.ToBytes(file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))), file.Metadata);
        Assert.Equal(File.ReadAllBytes(path), rewritten);
    }

    /// <summary>Padded steps: lengths are whole numbers in [1, T]; outputs and input gradients there are zero.</summary>
    private static void CheckPadding(SafeTensorsFile file, string fileName, int batch, int steps)
    {
        var lengths = file.Get("lengths");
        var output = file.Get("output");
        var gradInput = file.Get("grad.input");
        for (int b = 0; b < batch; b++)
        {
            float length = lengths[b];
            Assert.True(length == MathF.Round(length) && length >= 1 && length <= steps,
                $"{fileName}: lengths[{b}] = {length}; expected a whole number in [1, {steps}]");
            for (int t = (int)length; t < steps; t++)
            {
                for (int j = 0; j < output.Size(2); j++) Assert.Equal(0f, output[b, t, j]);
                for (int j = 0; j < gradInput.Size(2); j++) Assert.Equal(0f, gradInput[b, t, j]);
            }
        }
    }

    private static Dictionary<string, int[]> ExpectedShapes(bool lstm, int gates, int inputs, int hidden, int layers,
        int directions, int batch, int steps, bool packed, int proj, bool layerNorm)
    {
        var shapes = new Dictionary<string, int[]>();
        int width = proj > 0 ? proj : hidden; // of h
        for (int layer = 0; layer < layers; layer++)
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                int layerInputs = layer == 0 ? inputs : directions * width;
                shapes["weight_ih" + suffix] = new[] { gates * hidden, layerInputs };
                shapes["weight_hh" + suffix] = new[] { gates * hidden, width };
                shapes["bias_ih" + suffix] = new[] { gates * hidden };
                shapes["bias_hh" + suffix] = new[] { gates * hidden };
                if (proj > 0) shapes["weight_hr" + suffix] = new[] { proj, hidden };
                if (!layerNorm) continue;
                shapes["ln_weight_ih" + suffix] = shapes["ln_weight_hh" + suffix] = new[] { gates * hidden };
                if (lstm) shapes["ln_weight_c" + suffix] = shapes["ln_bias_c" + suffix] = new[] { hidden };
            }
        foreach (string parameter in shapes.Keys.ToArray()) shapes["grad." + parameter] = shapes[parameter];

        int[] state = { layers * directions, batch, width }, cell = { layers * directions, batch, hidden };
        int[] output = { batch, steps, directions * width };
        int[] input = { batch, steps, inputs };
        shapes["input"] = input;
        shapes["grad.input"] = input;
        shapes["h0"] = shapes["grad.h0"] = shapes["h_n"] = shapes["grad_h_n"] = state;
        if (lstm) shapes["c0"] = shapes["grad.c0"] = shapes["c_n"] = shapes["grad_c_n"] = cell;
        shapes["output"] = shapes["grad_output"] = output;
        if (packed) shapes["lengths"] = new[] { batch };
        return shapes;
    }

    private static int Positive(SafeTensorsFile file, string key)
    {
        string text = file.Metadata[key];
        Assert.True(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0,
            $"metadata '{key}' = '{text}'; expected a positive integer");
        return value;
    }
}
