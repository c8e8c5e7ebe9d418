using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, L stacked layers, D directions.

/// <summary>
/// <see cref="RecurrentOptions.LayerNorm"/> beyond the PyTorch reference fixtures
/// (torch_layernorm, in <see cref="TorchParityTests"/>): finite differences, the parameters and
/// their names, model files, stepping, and the refused combinations.
/// </summary>
public sealed class LayerNormTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-ln-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const int B = 3, T = 4, I = 3, H = 5;

    private static RecurrentLayer Build(string cell, int layers, bool bidirectional, ulong seed = 3)
    {
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = layers, Bidirectional = bidirectional, ReturnSequences = true, LayerNorm = true, Initialization = RecurrentInit.PyTorch,
        });
        layer.Build(new[] { T, I }, new SeededRandom(seed));
        // Gains and the cell bias away from their initial 1 and 0, so that a wrong gradient of either shows.
        var r = new SeededRandom(seed + 100);
        foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("ln_", StringComparison.Ordinal)))
            for (int k = 0; k < p.Value.Length; k++) p.Value.Span[k] += r.Uniform(-0.4f, 0.4f);
        return layer;
    }

    [Theory]
    [InlineData("lstm", 1, false, false)]
    [InlineData("lstm", 2, true, true)]
    [InlineData("gru", 1, true, false)]
    [InlineData("gru", 2, false, true)]
    public void Gradients_match_finite_differences(string cell, int layers, bool bidirectional, bool masked)
    {
        var layer = Build(cell, layers, bidirectional);
        var values = layer.Parameters.Select(p => p.Value.Data).ToArray();
        var r = new SeededRandom(17);
        int LD = layers * (bidirectional ? 2 : 1), W = layer.OutputWidth;
        var x = GradientCheck.RandomTensor(r, 1f, B, T, I);
        var h0 = GradientCheck.RandomTensor(r, 0.5f, LD, B, H);
        var c0 = cell == "lstm" ? GradientCheck.RandomTensor(r, 0.5f, LD, B, H) : null;
        var mask = masked ? SequenceMask.FromLengths(new[] { T, 1, 3 }, T) : null;
        var wy = GradientCheck.RandomWeights(B * T * W, 1);
        var wh = GradientCheck.RandomWeights(LD * B * H, 2);
        var wc = GradientCheck.RandomWeights(LD * B * H, 3);

        double Loss()
        {
            var o = layer.ForwardWithState(x, h0, c0, mask);
            layer.DiscardPendingCalls();
            double l = GradientCheck.Dot(o.Output.Span, wy) + GradientCheck.Dot(o.HiddenState.Span, wh);
            if (o.CellState is not null) l += GradientCheck.Dot(o.CellState.Span, wc);
            return l;
        }

        layer.ForwardWithState(x, h0, c0, mask);
        layer.ZeroGrad();
        var g = layer.BackwardWithState(new Tensor(wy, B, T, W), new Tensor(wh, LD, B, H), c0 is null ? null : new Tensor(wc, LD, B, H));
        LayerGradientCheck.All(layer, g, x, h0, c0, values, Loss, LayerNormCheck.Eps, LayerNormCheck.Rtol);
    }

    [Fact]
    public void Parameters_are_named_and_initialised_as_documented()
    {
        var lstm = new Lstm(H, new RecurrentOptions { LayerNorm = true, Bidirectional = true });
        lstm.Build(new[] { T, I }, new SeededRandom(1));
        Assert.Equal(new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "ln_weight_ih_l0", "ln_weight_hh_l0", "ln_weight_c_l0", "ln_bias_c_l0", "weight_ih_l0_reverse" },
            lstm.Parameters.Take(9).Select(p => p.Name));
        Assert.Equal(new[] { 4 * H }, lstm.GetParameter("ln_weight_hh_l0_reverse").Value.ShapeArray);
        Assert.Equal(new[] { H }, lstm.GetParameter("ln_bias_c_l0").Value.ShapeArray);
        Assert.All(lstm.GetParameter("ln_weight_c_l0").Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(lstm.GetParameter("ln_bias_c_l0").Value.ToArray(), v => Assert.Equal(0f, v));
        var gru = new Gru(H, new RecurrentOptions { LayerNorm = true });
        gru.Build(new[] { T, I }, new SeededRandom(1));
        Assert.Equal(new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "ln_weight_ih_l0", "ln_weight_hh_l0" }, gru.Parameters.Select(p => p.Name));
        // Off, nothing is added and the weights are drawn as before.
        var plain = new Lstm(H, new RecurrentOptions { Bidirectional = true });
        plain.Build(new[] { T, I }, new SeededRandom(1));
        Assert.DoesNotContain(plain.Parameters, p => p.Name.StartsWith("ln_", StringComparison.Ordinal));
        Assert.Equal(plain.GetParameter("weight_hh_l0_reverse").Value.ToArray(), lstm.GetParameter("weight_hh_l0_reverse").Value.ToArray());
        Assert.False(plain.GetConfig().ContainsKey("layer_norm"));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void The_normalisation_changes_the_output_and_makes_it_scale_free_in_the_input_projection(string cell)
    {
        // LN(x·W_ihᵀ) does not change when W_ih is scaled: a plain cell's output would.
        var layer = Build(cell, 1, false);
        // Inputs large enough that ε = 1e-5 inside √(σ² + ε) is negligible beside every row's σ².
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 4f, B, T, I);
        var before = layer.Infer(x).Output.ToArray();
        var wih = layer.GetParameter("weight_ih_l0").Value.Span;
        for (int k = 0; k < wih.Length; k++) wih[k] *= 4f;
        var after = layer.Infer(x).Output.ToArray();
        for (int k = 0; k < before.Length; k++) Assert.Equal(before[k], after[k], 3);
        var plain = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true, Initialization = RecurrentInit.PyTorch });
        plain.Build(new[] { T, I }, new SeededRandom(3));
        Assert.NotEqual(plain.Infer(x).Output.ToArray(), before);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Stepping_one_step_at_a_time_gives_the_bits_of_the_whole_sequence(string cell)
    {
        var layer = Build(cell, 2, false);
        StepCheck.WholeEqualsSteps(layer, GradientCheck.RandomTensor(new SeededRandom(5), 1f, 1, T, I)); // one row: never split by units
    }

    [Fact]
    public void A_model_file_saves_and_loads_the_option_and_its_parameters()
    {
        var model = new Sequential(7,
            new Bidirectional(new Lstm(H, new RecurrentOptions { LayerNorm = true, ReturnSequences = true, NumLayers = 2 })),
            new Gru(4, new RecurrentOptions { LayerNorm = true }),
            new Dense(1))
        { Output = TextWriter.Null };
        model.Build(T, I);
        foreach (var p in model.Parameters.Where(p => p.Name.StartsWith("ln_", StringComparison.Ordinal)))
            p.Value.Span.Fill(0.75f);
        var x = GradientCheck.RandomTensor(new SeededRandom(8), 1f, B, T, I);
        string path = Path.Combine(_dir, "ln.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
        Assert.True(Assert.IsType<Bidirectional>(loaded.Layers[0]).Inner.Options.LayerNorm);
        Assert.True(Assert.IsType<Gru>(loaded.Layers[1]).Options.LayerNorm);
        Assert.Equal(new[] { H }, SafeTensorsFile.Read(path).ShapeOf(model.Layers[0].Name + ".ln_bias_c_l1_reverse").ToArray());
    }

    [Fact]
    public void Unsupported_combinations_are_refused_naming_the_argument_and_the_expected_value()
    {
        var rnn = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(H, new RecurrentOptions { LayerNorm = true }));
        Assert.Equal("options", rnn.ParamName);
        Assert.Contains("LayerNorm is true", rnn.Message);
        Assert.Contains("supports only false", rnn.Message);
        var proj = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(H, new RecurrentOptions { LayerNorm = true, ProjectionSize = 2 }));
        Assert.Contains("ProjectionSize is 2 with LayerNorm true", proj.Message);
        var cho = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(H, new RecurrentOptions { LayerNorm = true }, resetAfter: false));
        Assert.Equal("resetAfter", cho.ParamName);
        Assert.Contains("expected resetAfter true", cho.Message);
    }
}
