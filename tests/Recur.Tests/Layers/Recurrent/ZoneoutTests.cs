using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, L stacked layers, D directions.

/// <summary>
/// <see cref="RecurrentOptions.ZoneoutHidden"/> and <see cref="RecurrentOptions.ZoneoutCell"/>
/// (Krueger et al. 2017): per-step masks drawn from the generator the layer forks at build time,
/// so a fresh layer built with the same seed draws the same masks on its first training call,
/// which fixes them for finite differences; in inference the expectation of the masks.
/// </summary>
public sealed class ZoneoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-zoneout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const int B = 3, T = 5, I = 3, H = 4;

    public sealed record Case(string Name, string Cell, int Layers, bool Bidirectional, bool Masked, float HiddenRate, float CellRate,
        int Batch = B, int Projection = 0, bool LayerNorm = false, float RecurrentDropout = 0f);

    private static readonly Case[] Cases =
    {
        new("lstm_both", "lstm", 1, false, false, 0.3f, 0.5f),
        new("lstm_bi_stacked_masked", "lstm", 2, true, true, 0.3f, 0.4f),
        new("lstm_cell_only_one_row", "lstm", 1, false, false, 0f, 0.5f, Batch: 1),
        new("lstm_projected", "lstm", 1, true, false, 0.4f, 0.3f, Projection: 2),
        new("lstm_layernorm_recurrent_dropout", "lstm", 1, false, true, 0.3f, 0.3f, LayerNorm: true, RecurrentDropout: 0.3f),
        new("gru_bi_masked", "gru", 1, true, true, 0.4f, 0f),
        new("rnn_tanh_stacked_one_row", "rnn_tanh", 2, false, false, 0.5f, 0f, Batch: 1),
    };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Name);
        return data;
    }

    private static RecurrentLayer Build(Case c, float hiddenRate, float cellRate, ulong seed = 3, float[][]? values = null)
    {
        var layer = RecurrentFactory.Create(c.Cell, H, new RecurrentOptions
        {
            NumLayers = c.Layers, Bidirectional = c.Bidirectional, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
            ProjectionSize = c.Projection, LayerNorm = c.LayerNorm, RecurrentDropout = c.RecurrentDropout,
            ZoneoutHidden = hiddenRate, ZoneoutCell = cellRate,
        });
        layer.Build(new[] { T, I }, new SeededRandom(seed));
        if (values is not null)
            for (int k = 0; k < values.Length; k++) values[k].CopyTo(layer.Parameters[k].Value.Span);
        return layer;
    }

    private static RecurrentLayer Build(Case c, float[][]? values = null) => Build(c, c.HiddenRate, c.CellRate, values: values);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Training_gradients_match_finite_differences_for_fixed_masks(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var (trained, inference) = FreshLayerCheck.Gradients(values => Build(c, values), c.Batch, T, I, c.Masked, training: true, layerNorm: c.LayerNorm);
        Assert.NotEqual(inference, trained);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Inference_gradients_match_finite_differences_through_the_expectation(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        FreshLayerCheck.Gradients(values => Build(c, values), c.Batch, T, I, c.Masked, training: false, layerNorm: c.LayerNorm);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_same_seed_draws_the_same_masks_and_another_seed_others(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        FreshLayerCheck.SameSeedSameMasks((seed, values) => Build(c, c.HiddenRate, c.CellRate, seed, values), c.Batch, T, I);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rate_zero_is_bit_identical_to_the_plain_cell_and_draws_nothing(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, c.Batch, T, I);
        // The plain layer: the case's other options, built without the zoneout options at all.
        var plain = RecurrentFactory.Create(c.Cell, H, new RecurrentOptions
        {
            NumLayers = c.Layers, Bidirectional = c.Bidirectional, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
            ProjectionSize = c.Projection, LayerNorm = c.LayerNorm, RecurrentDropout = c.RecurrentDropout,
        });
        plain.Build(new[] { T, I }, new SeededRandom(3));
        var layer = Build(c, 0f, 0f);
        var dy = GradientCheck.RandomTensor(new SeededRandom(5), 1f, c.Batch, T, plain.OutputWidth);
        // Three calls each: a rate-0 layer that drew masks would draw other dropout masks in the next call.
        foreach (bool training in new[] { true, true, false })
        {
            var expected = plain.ForwardWithState(x, training: training);
            var expectedGrad = plain.BackwardWithState(dy);
            var o = layer.ForwardWithState(x, training: training);
            Assert.Equal(expected.Output.ToArray(), o.Output.ToArray());
            Assert.Equal(expected.HiddenState.ToArray(), o.HiddenState.ToArray());
            var g = layer.BackwardWithState(dy);
            Assert.Equal(expectedGrad.Input!.ToArray(), g.Input!.ToArray());
            for (int k = 0; k < plain.Parameters.Count; k++)
                Assert.Equal(plain.Parameters[k].Grad.ToArray(), layer.Parameters[k].Grad.ToArray());
        }
        Assert.False(layer.GetConfig().ContainsKey("zoneout_hidden"));
        Assert.False(layer.GetConfig().ContainsKey("zoneout_cell"));
    }

    /// <summary>
    /// relu SimpleRNN with I = H, W_ih = identity, W_hh = 0, zero biases and x_t = t + 1: the cell's
    /// new state is h̃_t = t + 1, so h_t is t + 1 where the unit took it and h_{t−1} where it kept its value.
    /// </summary>
    [Fact]
    public void A_new_mask_is_drawn_at_every_step_keeping_about_the_rate_and_inference_uses_the_expectation()
    {
        const int Batch = 40, Steps = 6, Units = 25;
        const float Rate = 0.3f;
        var layer = new SimpleRnn(Units, new RecurrentOptions { ReturnSequences = true, ZoneoutHidden = Rate }, RnnActivation.Relu);
        layer.Build(new[] { Steps, Units }, new SeededRandom(1));
        foreach (var p in layer.Parameters) p.Value.Span.Clear();
        var wih = layer.GetParameter("weight_ih_l0").Value;
        for (int j = 0; j < Units; j++) wih[j, j] = 1f;
        var x = Tensor.Zeros(Batch, Steps, Units);
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < Steps; t++)
                for (int j = 0; j < Units; j++) x[b, t, j] = t + 1;
        var y = layer.ForwardWithState(x, training: true).Output;
        int kept = 0, changedMask = 0;
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < Units; j++)
            {
                float previous = 0f;
                bool? keptBefore = null;
                for (int t = 0; t < Steps; t++)
                {
                    float h = y[b, t, j];
                    bool keptNow = h != t + 1;
                    if (keptNow) Assert.Equal(previous, h);
                    if (keptNow) kept++;
                    if (keptBefore is { } k && k != keptNow) changedMask++;
                    keptBefore = keptNow;
                    previous = h;
                }
            }
        Assert.InRange(kept / (double)(Batch * Units * Steps), Rate - 0.04, Rate + 0.04);
        Assert.True(changedMask > Batch * Units, $"the mask changed between steps only {changedMask} times");

        var inferred = layer.Infer(x);
        for (int b = 0; b < Batch; b += 13)
        {
            float h = 0f;
            for (int t = 0; t < Steps; t++)
            {
                h = Rate * h + (1f - Rate) * (t + 1);
                Assert.Equal(h, inferred.Output[b, t, 0], 5);
            }
        }
    }

    [Fact]
    public void A_model_file_saves_and_loads_both_rates_and_predicts_the_same()
    {
        var model = new Sequential(7,
            new Lstm(H, new RecurrentOptions { ReturnSequences = true, ZoneoutHidden = 0.25f, ZoneoutCell = 0.5f }),
            new Gru(H, new RecurrentOptions { ZoneoutHidden = 0.125f }),
            new Dense(1))
        { Output = TextWriter.Null };
        model.Build(T, I);
        string path = Path.Combine(_dir, "zoneout.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        var lstm = Assert.IsType<Lstm>(loaded.Layers[0]).Options;
        Assert.Equal((0.25f, 0.5f), (lstm.ZoneoutHidden, lstm.ZoneoutCell));
        Assert.Equal(0.125f, Assert.IsType<Gru>(loaded.Layers[1]).Options.ZoneoutHidden);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, B, T, I);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
    }

    [Theory]
    [InlineData("ZoneoutHidden", -0.1f)]
    [InlineData("ZoneoutHidden", 1f)]
    [InlineData("ZoneoutCell", 2f)]
    [InlineData("ZoneoutCell", float.NaN)]
    public void A_rate_outside_0_to_1_is_refused_with_the_range_and_value(string option, float rate)
    {
        var options = option == "ZoneoutHidden" ? new RecurrentOptions { ZoneoutHidden = rate } : new RecurrentOptions { ZoneoutCell = rate };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(H, options));
        Assert.Equal("options", e.ParamName);
        Assert.Contains($"{option} is {rate}", e.Message);
        Assert.Contains("[0, 1)", e.Message);
    }

    [Fact]
    public void Cells_without_a_cell_state_refuse_cell_zoneout_by_name()
    {
        var options = new RecurrentOptions { ZoneoutCell = 0.2f };
        Assert.Contains("ZoneoutCell is 0.2; a Gru has no cell state", Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(H, options)).Message);
        Assert.Contains("SimpleRnn", Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(H, options)).Message);
    }
}
