using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, L stacked layers, D directions.

/// <summary>
/// <see cref="RecurrentOptions.InputDropout"/> and <see cref="RecurrentOptions.RecurrentDropout"/>:
/// variational dropout, one mask per sequence drawn from the generator the layer forks at build
/// time, so a fresh layer built with the same seed draws the same masks on its first training
/// call. That fixes the masks for finite differences in training mode.
/// </summary>
public sealed class VariationalDropoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-vdrop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const int B = 3, T = 5, I = 3, H = 4;

    public sealed record Case(string Name, string Cell, int Layers, bool Bidirectional, bool Masked, int Projection, float InputRate, float RecurrentRate,
        int Batch = B, bool LayerNorm = false, int Units = H);

    private static readonly Case[] Cases =
    {
        new("lstm_both", "lstm", 1, false, false, 0, 0.3f, 0.4f),
        new("lstm_bi_stacked_masked", "lstm", 2, true, true, 0, 0.3f, 0.4f),
        new("lstm_one_row", "lstm", 1, false, false, 0, 0.3f, 0.5f, Batch: 1),
        new("lstm_projected_bi", "lstm", 2, true, false, 2, 0.25f, 0.4f),
        new("rnn_tanh_stacked_masked", "rnn_tanh", 2, false, true, 0, 0.3f, 0.4f),
        new("rnn_tanh_recurrent_only_bi", "rnn_tanh", 1, true, false, 0, 0f, 0.5f),
        new("gru_input_only_bi", "gru", 2, true, true, 0, 0.4f, 0f),
        new("gru_cho_input_only", "gru_cho", 1, false, false, 0, 0.4f, 0f),
        new("gru_recurrent_bi_stacked_masked", "gru", 2, true, true, 0, 0.3f, 0.4f),
        new("gru_recurrent_only_one_row", "gru", 1, false, false, 0, 0f, 0.5f, Batch: 1),
        new("gru_cho_recurrent_bi_stacked_masked", "gru_cho", 2, true, true, 0, 0.3f, 0.4f),
        new("gru_cho_recurrent_only_one_row", "gru_cho", 1, false, false, 0, 0f, 0.5f, Batch: 1),
        // 17 units: a whole 8- or 16-float vector of the reset-before passes and a tail
        new("gru_cho_recurrent_wide_bi_masked", "gru_cho", 1, true, true, 0, 0.2f, 0.4f, Units: 17),
        new("gru_layernorm_both", "gru", 1, true, true, 0, 0.3f, 0.4f, LayerNorm: true),
        new("lstm_layernorm_both", "lstm", 1, false, true, 0, 0.3f, 0.4f, LayerNorm: true),
    };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Name);
        return data;
    }

    private static RecurrentLayer Build(Case c, float inputRate, float recurrentRate, ulong seed = 3, float[][]? values = null)
    {
        var layer = RecurrentFactory.Create(c.Cell, c.Units, new RecurrentOptions
        {
            NumLayers = c.Layers, Bidirectional = c.Bidirectional, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
            ProjectionSize = c.Projection, InputDropout = inputRate, RecurrentDropout = recurrentRate, LayerNorm = c.LayerNorm,
        });
        layer.Build(new[] { T, I }, new SeededRandom(seed));
        if (values is not null)
            for (int k = 0; k < values.Length; k++) values[k].CopyTo(layer.Parameters[k].Value.Span);
        return layer;
    }

    private static RecurrentLayer Build(Case c, float[][]? values = null) => Build(c, c.InputRate, c.RecurrentRate, values: values);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Training_gradients_match_finite_differences_for_fixed_masks(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var (trained, inference) = FreshLayerCheck.Gradients(values => Build(c, values), c.Batch, T, I, c.Masked, training: true, layerNorm: c.LayerNorm);
        Assert.NotEqual(inference, trained); // the masks are really applied: training differs from inference
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_same_seed_draws_the_same_masks_and_another_seed_others(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        FreshLayerCheck.SameSeedSameMasks((seed, values) => Build(c, c.InputRate, c.RecurrentRate, seed, values), c.Batch, T, I);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rate_zero_in_training_and_any_rate_in_inference_are_bit_identical_to_the_plain_cell(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, c.Batch, T, I);
        var plain = Build(c, 0f, 0f);
        var dy = GradientCheck.RandomTensor(new SeededRandom(5), 1f, c.Batch, T, plain.OutputWidth);
        var reference = plain.ForwardWithState(x);
        var referenceGrad = plain.BackwardWithState(dy);
        foreach (var (layer, training) in new[] { (Build(c, 0f, 0f), true), (Build(c), false) })
        {
            var o = layer.ForwardWithState(x, training: training);
            Assert.Equal(reference.Output.ToArray(), o.Output.ToArray());
            Assert.Equal(reference.HiddenState.ToArray(), o.HiddenState.ToArray());
            var g = layer.BackwardWithState(dy);
            Assert.Equal(referenceGrad.Input!.ToArray(), g.Input!.ToArray());
            for (int k = 0; k < plain.Parameters.Count; k++)
                Assert.Equal(plain.Parameters[k].Grad.ToArray(), layer.Parameters[k].Grad.ToArray());
        }
    }

    /// <summary>
    /// relu SimpleRNN with I = H, W_ih = identity, W_hh = 0, zero biases and positive inputs:
    /// h_t = x_t ⊙ m_x, so a unit is zero at every step of a sequence or at none.
    /// </summary>
    [Fact]
    public void The_input_mask_is_one_per_sequence_and_drops_about_the_rate()
    {
        const int Batch = 40, Steps = 6, Units = 25;
        const float Rate = 0.3f;
        var layer = new SimpleRnn(Units, new RecurrentOptions { ReturnSequences = true, InputDropout = Rate }, RnnActivation.Relu);
        layer.Build(new[] { Steps, Units }, new SeededRandom(1));
        foreach (var p in layer.Parameters) p.Value.Span.Clear();
        var wih = layer.GetParameter("weight_ih_l0").Value;
        for (int j = 0; j < Units; j++) wih[j, j] = 1f;
        var x = Tensor.Zeros(Batch, Steps, Units);
        x.Span.Fill(1f);
        var y = layer.ForwardWithState(x, training: true).Output;
        int dropped = 0;
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < Units; j++)
            {
                float first = y[b, 0, j];
                Assert.True(first == 0f || Math.Abs(first - 1f / (1f - Rate)) < 1e-6f, $"h[{b}, 0, {j}] = {first}");
                for (int t = 1; t < Steps; t++) Assert.Equal(first, y[b, t, j]);
                if (first == 0f) dropped++;
            }
        double fraction = dropped / (double)(Batch * Units);
        Assert.InRange(fraction, Rate - 0.05, Rate + 0.05);
    }

    /// <summary>
    /// relu SimpleRNN with W_ih = 0, b_ih = 1, W_hh = identity: h_t = 1 + h_{t−1} ⊙ m_h, so from
    /// h_0 = 0 a unit whose mask is 0 stays at 1 and a kept one grows, at every step alike.
    /// </summary>
    [Fact]
    public void The_recurrent_mask_is_one_per_sequence_and_drops_about_the_rate()
    {
        const int Batch = 40, Steps = 6, Units = 25;
        const float Rate = 0.4f;
        var layer = new SimpleRnn(Units, new RecurrentOptions { ReturnSequences = true, RecurrentDropout = Rate }, RnnActivation.Relu);
        layer.Build(new[] { Steps, 2 }, new SeededRandom(2));
        foreach (var p in layer.Parameters) p.Value.Span.Clear();
        layer.GetParameter("bias_ih_l0").Value.Span.Fill(1f);
        var whh = layer.GetParameter("weight_hh_l0").Value;
        for (int j = 0; j < Units; j++) whh[j, j] = 1f;
        var y = layer.ForwardWithState(Tensor.Zeros(Batch, Steps, 2), training: true).Output;
        int dropped = 0;
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < Units; j++)
            {
                bool isDropped = y[b, 1, j] == 1f;
                for (int t = 1; t < Steps; t++) Assert.Equal(isDropped, y[b, t, j] == 1f);
                if (isDropped) dropped++;
            }
        Assert.InRange(dropped / (double)(Batch * Units), Rate - 0.06, Rate + 0.06);
    }

    [Theory]
    [InlineData("InputDropout", -0.1f)]
    [InlineData("InputDropout", 1f)]
    [InlineData("RecurrentDropout", 1.5f)]
    [InlineData("RecurrentDropout", float.NaN)]
    public void A_rate_outside_0_to_1_is_refused_with_the_range_and_value(string option, float rate)
    {
        var options = option == "InputDropout" ? new RecurrentOptions { InputDropout = rate } : new RecurrentOptions { RecurrentDropout = rate };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(H, options));
        Assert.Equal("options", e.ParamName);
        Assert.Contains($"{option} is {rate}", e.Message);
        Assert.Contains("[0, 1)", e.Message);
    }

    /// <summary>
    /// GRU with W_ih = 0, zero biases but b_in = 0.7, and each block of W_hh [r | z | n] the
    /// identity: r = σ(h̃), z = σ(h̃) and n = tanh(0.7 + r ⊙ h̃) with h̃ = h_{t−1} ⊙ m_h in both
    /// forms (resetting before, (r ⊙ h̃)·I; after, r ⊙ (h̃·I)), so a dropped unit has r = z = ½,
    /// n = tanh(0.7) exactly, a kept one h̃ = h/(1 − p) in all three blocks, while the
    /// interpolation keeps the undropped h_{t−1} (Keras' GRUCell): checked by computing the step
    /// by hand for either mask value.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_gru_drops_h_in_every_recurrent_multiply_with_one_mask_and_interpolates_the_carried_state(bool resetAfter)
    {
        const int Units = 6, Batch = 5;
        const float Rate = 0.5f;
        var layer = new Gru(Units, new RecurrentOptions { ReturnSequences = true, RecurrentDropout = Rate }, resetAfter);
        layer.Build(new[] { 1, 1 }, new SeededRandom(3));
        foreach (var p in layer.Parameters) p.Value.Span.Clear();
        var whh = layer.GetParameter("weight_hh_l0").Value; // (3H, H): [r | z | n]
        for (int g = 0; g < 3; g++)
            for (int j = 0; j < Units; j++) whh[g * Units + j, j] = 1f;
        var bih = layer.GetParameter("bias_ih_l0").Value.Span;
        for (int j = 0; j < Units; j++) bih[2 * Units + j] = 0.7f;
        var h0 = Tensor.Zeros(1, Batch, Units);
        for (int k = 0; k < h0.Length; k++) h0.Span[k] = 0.25f + 0.1f * (k % 7);
        var y = layer.ForwardWithState(Tensor.Zeros(Batch, 1, 1), h0, training: true).Output;
        static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));
        static float Step(float h, float dropped)
        {
            float r = Sigmoid(dropped), z = Sigmoid(dropped), n = MathF.Tanh(0.7f + r * dropped);
            return (1f - z) * n + z * h;
        }
        int dropped = 0;
        for (int b = 0; b < Batch; b++)
            for (int j = 0; j < Units; j++)
            {
                float h = h0[0, b, j], kept = Step(h, h / (1f - Rate)), droppedValue = Step(h, 0f);
                float actual = y[b, 0, j];
                bool isDropped = MathF.Abs(actual - droppedValue) < 1e-6f;
                Assert.True(isDropped || MathF.Abs(actual - kept) < 1e-6f, $"h[{b}, {j}] = {actual}; expected {kept} (kept) or {droppedValue} (dropped)");
                if (isDropped) dropped++;
            }
        Assert.InRange(dropped, 1, Batch * Units - 1);
    }

    [Fact]
    public void A_model_file_saves_and_loads_both_rates()
    {
        var model = new Sequential(7,
            new Lstm(H, new RecurrentOptions { ReturnSequences = true, InputDropout = 0.25f, RecurrentDropout = 0.5f }),
            new Gru(H, new RecurrentOptions { InputDropout = 0.125f }),
            new Dense(1))
        { Output = TextWriter.Null };
        model.Build(T, I);
        string path = Path.Combine(_dir, "dropout.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        var lstm = Assert.IsType<Lstm>(loaded.Layers[0]).Options;
        Assert.Equal((0.25f, 0.5f), (lstm.InputDropout, lstm.RecurrentDropout));
        Assert.Equal(0.125f, Assert.IsType<Gru>(loaded.Layers[1]).Options.InputDropout);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, B, T, I);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
        Assert.False(new Lstm(H).GetConfig().ContainsKey("recurrent_dropout"));
    }

    /// <summary>
    /// Every cell option at once, on each layer type that takes it (the reset-before GRU with
    /// recurrent dropout too): the options read back equal as records, so no field is dropped.
    /// </summary>
    [Fact]
    public void A_model_file_saves_and_loads_every_cell_option_together()
    {
        var lstm = new Lstm(H, new RecurrentOptions
        {
            ReturnSequences = true, NumLayers = 2, Bidirectional = true, InputDropout = 0.25f, RecurrentDropout = 0.5f,
            LayerNorm = true, ZoneoutHidden = 0.125f, ZoneoutCell = 0.375f,
        });
        var projected = new Lstm(H, new RecurrentOptions { ReturnSequences = true, ProjectionSize = 2, RecurrentDropout = 0.25f, ZoneoutCell = 0.5f });
        var cho = new Gru(H, new RecurrentOptions { ReturnSequences = true, InputDropout = 0.125f, RecurrentDropout = 0.375f, ZoneoutHidden = 0.25f }, resetAfter: false);
        var gru = new Gru(H, new RecurrentOptions { LayerNorm = true, RecurrentDropout = 0.5f, ZoneoutHidden = 0.125f });
        var model = new Sequential(7, lstm, projected, cho, gru, new Dense(1)) { Output = TextWriter.Null };
        model.Build(T, I);
        string path = Path.Combine(_dir, "options.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        RecurrentLayer[] layers = [lstm, projected, cho, gru];
        for (int k = 0; k < layers.Length; k++)
            Assert.Equal(layers[k].Options, Assert.IsAssignableFrom<RecurrentLayer>(loaded.Layers[k]).Options);
        Assert.False(Assert.IsType<Gru>(loaded.Layers[2]).ResetAfter);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, B, T, I);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
    }

    [Fact]
    public void A_stateful_layer_trains_with_recurrent_dropout_and_carries_its_state()
    {
        var layer = new Lstm(H, new RecurrentOptions { ReturnSequences = true, RecurrentDropout = 0.5f, InputDropout = 0.2f }) { Stateful = true };
        layer.Build(new[] { T, I }, new SeededRandom(5));
        var x = GradientCheck.RandomTensor(new SeededRandom(6), 1f, B, T, I);
        layer.Forward(x, training: true);
        var carried = layer.GetState()!.Hidden.ToArray();
        var y = layer.Forward(x, training: true);
        Assert.NotEqual(carried, layer.GetState()!.Hidden.ToArray());
        var dx = layer.Backward(Tensor.Full(1f, B, T, H));
        Assert.Equal(x.ShapeArray, dx.ShapeArray);
        Assert.All(dx.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(new[] { B, T, H }, y.ShapeArray);
    }
}
