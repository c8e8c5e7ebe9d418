using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// What a recurrent layer promises outside its numerics: the refusals of its constructor, shapes,
/// calls and states (each by exception type, parameter name and message), the output shape and
/// mask it reports, the ranges its initialisers draw from, which calls are kept for backward, and
/// that inference runs without dropout.
/// </summary>
public class RecurrentLayerContractTests
{
    private static Tensor Input(int batch, int steps, int features, int seed)
        => GradientCheck.RandomTensor(new SeededRandom(seed), 1f, batch, steps, features);

    private static Lstm BuiltLstm(RecurrentOptions options, int units = 3, int features = 2, int seed = 5)
    {
        var lstm = new Lstm(units, options, name: "lstm");
        lstm.Build([-1, features], new SeededRandom(seed));
        return lstm;
    }

    [Fact]
    public void A_layer_of_no_units_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(0, new RecurrentOptions()));
        Assert.Equal("units", e.ParamName);
        Assert.Equal(0, e.ActualValue);
        Assert.Contains("Expected a positive number of units.", e.Message);
    }

    [Fact]
    public void The_output_shape_is_per_step_only_when_returning_sequences_and_needs_a_time_by_features_input()
    {
        var last = new Lstm(3, new RecurrentOptions { Bidirectional = true });
        Assert.Equal(new[] { 6 }, last.ComputeOutputShape([7, 2]));
        var sequences = new Lstm(3, new RecurrentOptions { ReturnSequences = true }, name: "seq");
        Assert.Equal(new[] { 7, 3 }, sequences.ComputeOutputShape([7, 2]));

        var flat = Assert.Throws<ArgumentException>(() => sequences.ComputeOutputShape([7]));
        Assert.Equal("inputShape", flat.ParamName);
        Assert.Contains("Layer 'seq' expects inputs of shape (batch, time, features); got per-sample shape (7).", flat.Message);
    }

    [Fact]
    public void The_mask_passes_on_only_when_returning_sequences()
    {
        var mask = new SequenceMask([true, true, false, true, false, false], 2, 3);
        var x = Input(2, 3, 2, 1);
        var sequences = BuiltLstm(new RecurrentOptions { ReturnSequences = true });
        Assert.Same(mask, sequences.ComputeMask(x, mask));
        var last = BuiltLstm(new RecurrentOptions());
        Assert.Null(last.ComputeMask(x, mask));
    }

    [Fact]
    public void PyTorch_initialisation_draws_the_projection_from_minus_to_plus_one_over_root_units()
    {
        var lstm = BuiltLstm(new RecurrentOptions { Initialization = RecurrentInit.PyTorch, ProjectionSize = 2 }, units: 4);
        float[] whr = lstm.GetParameter("weight_hr_l0").Value.ToArray();
        Assert.Equal(2 * 4, whr.Length);
        float k = 1f / MathF.Sqrt(4);
        Assert.All(whr, v => Assert.InRange(v, -k, k));
        Assert.Contains(whr, v => v < 0);
        Assert.Contains(whr, v => v > 0);
    }

    [Fact]
    public void Keras_initialisation_gives_the_projection_glorot_values()
    {
        var lstm = BuiltLstm(new RecurrentOptions { ProjectionSize = 2 }, units: 4);
        float[] whr = lstm.GetParameter("weight_hr_l0").Value.ToArray();
        float limit = MathF.Sqrt(6f / (4 + 2));
        Assert.All(whr, v => Assert.InRange(v, -limit, limit));
        Assert.Contains(whr, v => v < 0);
        Assert.Contains(whr, v => v > 0);
    }

    [Fact]
    public void Step_refuses_a_sequence_and_a_state_of_another_batch_by_its_own_parameter_names()
    {
        var lstm = BuiltLstm(new RecurrentOptions());
        var sequence = Assert.Throws<ArgumentException>(() => lstm.Step(Input(2, 3, 2, 1)));
        Assert.Equal("input", sequence.ParamName);
        Assert.Contains("expected rank 2 (batch, features)", sequence.Message);

        var state = new RecurrentState(Tensor.Zeros(1, 3, 3), Tensor.Zeros(1, 3, 3));
        var batch = Assert.Throws<ArgumentException>(() => lstm.Step(Tensor.Zeros(2, 2), state));
        Assert.Equal("state", batch.ParamName);
        Assert.Contains("needs a state of shape (1, 2, 3); got (1, 3, 3)", batch.Message);
    }

    [Fact]
    public void Step_takes_the_state_of_a_bidirectional_layer_one_hidden_and_cell_per_direction()
    {
        var lstm = BuiltLstm(new RecurrentOptions { Bidirectional = true });
        var h = GradientCheck.RandomTensor(new SeededRandom(2), 0.5f, 2, 2, 3);
        var c = GradientCheck.RandomTensor(new SeededRandom(3), 0.5f, 2, 2, 3);
        var x = Input(2, 1, 2, 4);
        var expected = lstm.ForwardWithState(x, h, c);
        lstm.DiscardPendingCalls();
        var (output, state) = lstm.Step(x.Reshape(2, 2), new RecurrentState(h, c));
        Assert.Equal(expected.Output.ToArray(), output.ToArray());
        Assert.Equal(expected.HiddenState.ToArray(), state.Hidden.ToArray());
        Assert.Equal(expected.CellState!.ToArray(), state.Cell!.ToArray());
    }

    [Fact]
    public void A_non_finite_initial_cell_is_refused_when_checking_finite_values()
    {
        var lstm = BuiltLstm(new RecurrentOptions { CheckFinite = true });
        var c = Tensor.Zeros(1, 2, 3);
        c.Span[4] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => lstm.ForwardWithState(Input(2, 3, 2, 1), Tensor.Zeros(1, 2, 3), c));
        Assert.Equal("initialCell", e.ParamName);
        Assert.Contains("contains NaN at flat index 4", e.Message);
    }

    [Fact]
    public void A_cell_gradient_of_the_wrong_shape_is_refused_by_name()
    {
        var lstm = BuiltLstm(new RecurrentOptions { ReturnSequences = true });
        lstm.ForwardWithState(Input(2, 3, 2, 1));
        var e = Assert.Throws<ArgumentException>(() => lstm.BackwardWithState(null, Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 2, 4)));
        Assert.Equal("gradCell", e.ParamName);
    }

    [Fact]
    public void Infer_keeps_nothing_for_backward_and_leaves_a_forward_call_pending()
    {
        var lstm = BuiltLstm(new RecurrentOptions { ReturnSequences = true });
        var x = Input(2, 3, 2, 1);
        var g = GradientCheck.RandomTensor(new SeededRandom(9), 1f, 2, 3, 3);
        ((Layer)lstm).Infer(x);
        var none = Assert.Throws<InvalidOperationException>(() => lstm.Backward(g));
        Assert.Contains("Backward called without a forward call to back-propagate", none.Message);

        lstm.Forward(x);
        var expected = lstm.Backward(g).ToArray();
        lstm.Forward(x);
        ((Layer)lstm).Infer(Input(2, 3, 2, 2)); // another input: had it been kept, Backward would go through it
        Assert.Equal(expected, lstm.Backward(g).ToArray());
    }

    [Fact]
    public void Infer_drops_nothing_even_when_the_layer_has_dropout()
    {
        var options = new RecurrentOptions { ReturnSequences = true, NumLayers = 2 };
        var plain = BuiltLstm(options);
        var dropped = BuiltLstm(options with { Dropout = 0.5f }); // the same weights: dropout draws from its own fork
        Assert.Equal(plain.GetParameter("weight_ih_l1").Value.ToArray(), dropped.GetParameter("weight_ih_l1").Value.ToArray());
        var x = Input(2, 4, 2, 1);
        Assert.Equal(((Layer)plain).Infer(x).ToArray(), ((Layer)dropped).Infer(x).ToArray());
    }

    [Fact]
    public void Null_inputs_and_output_gradients_are_refused_by_name()
    {
        var lstm = BuiltLstm(new RecurrentOptions { ReturnSequences = true });
        lstm.Forward(Input(2, 3, 2, 1));
        Assert.Equal("gradOutput", Assert.Throws<ArgumentNullException>(() => lstm.Backward(null!)).ParamName);

        var stateful = BuiltLstm(new RecurrentOptions());
        stateful.Stateful = true;
        ((Layer)stateful).Infer(Input(2, 3, 2, 1)); // now carrying a state
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => ((Layer)stateful).Infer(null!)).ParamName);
    }

    [Fact]
    public void A_state_is_refused_by_name_when_its_tensors_do_not_match()
    {
        var flat = Assert.Throws<ArgumentException>(() => new RecurrentState(Tensor.Zeros(2, 3)));
        Assert.Equal("hidden", flat.ParamName);
        Assert.Contains("expected rank 3 (layers·directions, batch, units)", flat.Message);

        var flatCell = Assert.Throws<ArgumentException>(() => new RecurrentState(Tensor.Zeros(1, 2, 3), Tensor.Zeros(2, 3)));
        Assert.Equal("cell", flatCell.ParamName);
        var otherBatch = Assert.Throws<ArgumentException>(() => new RecurrentState(Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 3, 3)));
        Assert.Equal("cell", otherBatch.ParamName);
        Assert.NotNull(new RecurrentState(Tensor.Zeros(1, 2, 2), Tensor.Zeros(1, 2, 3)).Cell); // a projected LSTM's: c wider than h
    }

    [Fact]
    public void SetState_refuses_a_cell_state_of_other_units_itself()
    {
        var lstm = BuiltLstm(new RecurrentOptions());
        lstm.Stateful = true;
        var e = Assert.Throws<ArgumentException>(() => lstm.SetState(new RecurrentState(Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 2, 4))));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("Layer 'lstm' needs a cell state of 3 units; got (1, 2, 4).", e.Message);
    }

    [Fact]
    public void A_simple_rnn_is_saved_with_its_activation_and_recreated_from_its_config()
    {
        var relu = new SimpleRnn(5, new RecurrentOptions(), RnnActivation.Relu, name: "rnn");
        var description = (JsonObject)JsonNode.Parse(LayerRegistry.Describe(relu).ToJsonString())!;
        Assert.Equal("Relu", (string)description["config"]!["activation"]!);
        var again = Assert.IsType<SimpleRnn>(LayerRegistry.Create(description));
        Assert.Equal(RnnActivation.Relu, again.Activation);
        Assert.Equal(5, again.Units);
    }
}
