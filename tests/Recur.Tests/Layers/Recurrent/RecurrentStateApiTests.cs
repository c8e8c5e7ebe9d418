using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// The state a recurrent layer carries and hands out (SetState, GetState, Stateful, RecurrentState's
/// rows), and the refusals of a layer's options, input shapes and gradients, each by name.
/// </summary>
public class RecurrentStateApiTests
{
    private static Lstm BuiltLstm(bool stateful = false)
    {
        var lstm = new Lstm(3, returnSequences: true, name: "lstm");
        lstm.Build([-1, 2], new SeededRandom(5));
        lstm.Stateful = stateful;
        return lstm;
    }

    private static Tensor Input(int batch, int steps, int seed) => GradientCheck.RandomTensor(new SeededRandom(seed), 1f, batch, steps, 2);

    [Fact]
    public void SetState_starts_the_next_call_there_and_keeps_its_own_copy()
    {
        var lstm = BuiltLstm(stateful: true);
        var h = GradientCheck.RandomTensor(new SeededRandom(1), 0.5f, 1, 2, 3);
        var c = GradientCheck.RandomTensor(new SeededRandom(2), 0.5f, 1, 2, 3);
        var x = Input(2, 4, 3);
        var expected = BuiltLstm().ForwardWithState(x, h, c);
        var state = new RecurrentState(h.Clone(), c.Clone());
        lstm.SetState(state);
        state.Hidden.Span.Fill(7); // the layer copied it
        Assert.Equal(expected.Output.ToArray(), lstm.Forward(x).ToArray());
        var carried = lstm.GetState()!;
        Assert.Equal(expected.HiddenState.ToArray(), carried.Hidden.ToArray());
        Assert.Equal(expected.CellState!.ToArray(), carried.Cell!.ToArray());
        carried.Cell!.Span.Fill(9); // and hands out copies
        Assert.Equal(expected.CellState!.ToArray(), lstm.GetState()!.Cell!.ToArray());

        lstm.SetState(null); // zeros again
        Assert.Null(lstm.GetState());
        Assert.Equal(BuiltLstm().Forward(x).ToArray(), lstm.Forward(x).ToArray());
    }

    [Fact]
    public void A_state_for_another_layer_or_a_layer_that_is_not_stateful_is_refused()
    {
        var plain = BuiltLstm();
        var state = new RecurrentState(Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 2, 3));
        var notStateful = Assert.Throws<InvalidOperationException>(() => plain.SetState(state));
        Assert.Contains("'lstm' is not stateful; set Stateful = true before SetState", notStateful.Message);
        plain.SetState(null); // clearing is always allowed

        var lstm = BuiltLstm(stateful: true);
        var wide = Assert.Throws<ArgumentException>(() => lstm.SetState(new RecurrentState(Tensor.Zeros(1, 2, 4), Tensor.Zeros(1, 2, 4))));
        Assert.Equal("state", wide.ParamName);
        Assert.Contains("needs a state of shape (1, 2, 3); got (1, 2, 4)", wide.Message);
        var noCell = Assert.Throws<ArgumentException>(() => lstm.SetState(new RecurrentState(Tensor.Zeros(1, 2, 3))));
        Assert.Contains("is an LSTM: its state needs a cell part", noCell.Message);
        var gru = new Gru(3, name: "gru");
        gru.Build([-1, 2], new SeededRandom(1));
        gru.Stateful = true;
        var cell = Assert.Throws<ArgumentException>(() => gru.SetState(state));
        Assert.Contains("'gru' has no cell state", cell.Message);
    }

    [Fact]
    public void A_stateful_layer_refuses_a_batch_other_than_the_one_it_carries_until_reset()
    {
        var lstm = BuiltLstm(stateful: true);
        lstm.Forward(Input(2, 3, 1));
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(Input(3, 3, 2)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("carries states for a batch of 2; got a batch of 3. Call ResetStates()", e.Message);
        lstm.ResetStates();
        Assert.Equal(new[] { 3, 3, 3 }, lstm.Forward(Input(3, 3, 2)).ShapeArray);
        // Switching Stateful on or off drops what was carried.
        Assert.NotNull(lstm.GetState());
        lstm.Stateful = true;
        Assert.Null(lstm.GetState());
    }

    [Fact]
    public void Options_shapes_and_gradients_a_layer_cannot_take_are_refused_by_name()
    {
        var layers = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(3, new RecurrentOptions { NumLayers = 0 }));
        Assert.Equal("options", layers.ParamName);
        Assert.Contains("NumLayers is 0; expected at least 1", layers.Message);
        var dropout = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(3, new RecurrentOptions { Dropout = 1f }));
        Assert.Contains("Dropout is 1; expected a value in [0, 1)", dropout.Message);
        var bidirectional = new Lstm(3, new RecurrentOptions { Bidirectional = true }, name: "both");
        var stateful = Assert.Throws<InvalidOperationException>(() => bidirectional.Stateful = true);
        Assert.Contains("'both' is bidirectional; its backward direction cannot carry state", stateful.Message);

        var rank = Assert.Throws<ArgumentException>(() => new SimpleRnn(3, name: "rnn").Build([4], new SeededRandom(1)));
        Assert.Equal("inputShape", rank.ParamName);
        Assert.Contains("'rnn' expects inputs of shape (batch, time, features); got per-sample shape (4)", rank.Message);
        var features = Assert.Throws<ArgumentException>(() => new SimpleRnn(3, name: "rnn").Build([5, 0], new SeededRandom(1)));
        Assert.Contains("'rnn' needs at least one input feature; got 0", features.Message);

        var gru = new Gru(3, returnSequences: true, name: "gru");
        gru.Build([-1, 2], new SeededRandom(1));
        gru.ForwardWithState(Input(2, 3, 4));
        var gradCell = Assert.Throws<ArgumentException>(() => gru.BackwardWithState(Tensor.Zeros(2, 3, 3), gradCell: Tensor.Zeros(1, 2, 3)));
        Assert.Equal("gradCell", gradCell.ParamName);
        Assert.Contains("'gru' (Gru) has no cell state; gradCell must be null", gradCell.Message);
    }

    [Fact]
    public void Dropout_between_layers_has_its_own_random_stream_and_none_without()
    {
        Assert.Empty(new Lstm(3, new RecurrentOptions { NumLayers = 2 }).RandomStreams);
        var stacked = new Lstm(3, new RecurrentOptions { NumLayers = 2, Dropout = 0.2f });
        stacked.Build([-1, 2], new SeededRandom(3));
        Assert.Single(stacked.RandomStreams);
    }

    [Fact]
    public void Selected_rows_repeat_and_reorder_a_state_in_every_layer_and_direction()
    {
        // (L·D = 2, B = 3, H = 2): values k·100 + b·10 + j.
        var h = Tensor.Zeros(2, 3, 2);
        for (int k = 0; k < 2; k++)
            for (int b = 0; b < 3; b++)
                for (int j = 0; j < 2; j++) h.Span[(k * 3 + b) * 2 + j] = k * 100 + b * 10 + j;
        var state = new RecurrentState(h, h.Clone());
        var picked = state.SelectRows([2, 0, 0]);
        Assert.Equal(3, picked.Batch);
        float[] expected = [20, 21, 0, 1, 0, 1, 120, 121, 100, 101, 100, 101];
        Assert.Equal(expected, picked.Hidden.ToArray());
        Assert.Equal(expected, picked.Cell!.ToArray());
        Assert.Null(new RecurrentState(h).SelectRows([1]).Cell);
        var clone = state.Clone();
        clone.Hidden.Span[0] = -1;
        Assert.Equal(0, state.Hidden.Span[0]);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => state.SelectRows([0, 3]));
        Assert.Equal("rows", outside.ParamName);
        Assert.Contains("Row 3 is outside the state's batch of 3", outside.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.SelectRows([-1]));
    }
}
