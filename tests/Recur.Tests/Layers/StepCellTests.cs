using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

public class StepCellTests
{
    public static TheoryData<string> Cells => ["lstm", "gru", "rnn"];

    private static StepCell Cell(string kind) => kind switch
    {
        "lstm" => StepCell.Lstm(5),
        "gru" => StepCell.Gru(5),
        _ => StepCell.SimpleRnn(5),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Stepping_a_sequence_gives_the_bits_of_the_layer_run_whole(string kind)
    {
        var cell = Cell(kind);
        cell.Build([3]);
        int B = 2, T = 6;
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, B, T, 3);
        var whole = cell.Inner.Infer(x, null, null);
        RecurrentState? state = null;
        for (int t = 0; t < T; t++)
        {
            var xt = Tensor.Zeros(B, 3);
            for (int b = 0; b < B; b++) x.Span.Slice((b * T + t) * 3, 3).CopyTo(xt.Span.Slice(b * 3, 3));
            (var h, state) = cell.Infer(xt, state);
            for (int b = 0; b < B; b++)
                Assert.Equal(whole.Output.Span.Slice((b * T + t) * 5, 5).ToArray(), h.Span.Slice(b * 5, 5).ToArray());
        }
        Assert.Equal(whole.HiddenState.ToArray(), state!.Hidden.ToArray());
        Assert.Equal(whole.CellState?.ToArray(), state.Cell?.ToArray());
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_loop_of_training_steps_back_propagated_in_reverse_gives_the_gradients_of_the_whole_sequence(string kind)
    {
        var cell = Cell(kind);
        cell.Build([3]);
        int B = 2, T = 4, H = 5;
        var r = new SeededRandom(2);
        var x = GradientCheck.RandomTensor(r, 1f, B, T, 3);
        var dy = GradientCheck.RandomTensor(r, 1f, B, T, H);

        cell.Inner.ForwardWithState(x);
        var whole = cell.Inner.BackwardWithState(dy);
        var expected = cell.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        cell.ZeroGrad();

        Tensor Slice(Tensor s, int t, int width)
        {
            var o = Tensor.Zeros(B, width);
            for (int b = 0; b < B; b++) s.Span.Slice((b * T + t) * width, width).CopyTo(o.Span.Slice(b * width, width));
            return o;
        }
        RecurrentState? state = null;
        for (int t = 0; t < T; t++) state = cell.Step(Slice(x, t, 3), state, training: true).State;
        RecurrentState? gradState = null;
        for (int t = T - 1; t >= 0; t--)
        {
            (var dx, gradState) = cell.BackwardStep(Slice(dy, t, H), gradState);
            var dxWhole = Slice(whole.Input!, t, 3);
            for (int i = 0; i < dx.Length; i++) Assert.Equal(dxWhole.Span[i], dx.Span[i], 5);
        }
        Assert.Equal(0, cell.PendingCalls);
        Assert.Equal(0, cell.Inner.PendingCalls);
        var actual = cell.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++) Assert.Equal(expected[k][i], actual[k][i], 4);
        Assert.Contains(actual[0], g => g != 0f);
    }

    [Fact]
    public void A_loop_of_forward_calls_never_back_propagated_holds_one_call_and_reuses_its_buffers()
    {
        var lstm = new Lstm(8, returnSequences: true);
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 1, 20, 4);
        lstm.ForwardWithState(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) lstm.ForwardWithState(x);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 200;
        Assert.Equal(1, lstm.PendingCalls);
        Assert.True(perCall < 8 * 20 * 8 * 4 * 4, $"{perCall} bytes per call: the call states are not reused"); // outputs only, no new workspace
        lstm.BackwardWithState(Tensor.Full(1f, 1, 20, 8)); // the last call is still back-propagated
        using (lstm.RecordCalls())
            for (int i = 0; i < 3; i++) lstm.ForwardWithState(x);
        Assert.Equal(3, lstm.PendingCalls);
    }

    [Fact]
    public void Bad_layers_and_states_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new StepCell(new Lstm(4, returnSequences: true, numLayers: 2)));
        Assert.Contains("numLayers 2", e.Message);
        var cell = StepCell.Lstm(4);
        cell.Build([3]);
        var wrong = new RecurrentState(Tensor.Zeros(1, 2, 4)); // an LSTM state without its cell
        Assert.Throws<ArgumentException>(() => cell.Step(Tensor.Zeros(2, 3), wrong));
        Assert.Throws<ArgumentException>(() => cell.Step(Tensor.Zeros(2, 3), new RecurrentState(Tensor.Zeros(1, 3, 4), Tensor.Zeros(1, 3, 4))));
    }
}
