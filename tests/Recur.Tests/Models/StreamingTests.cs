using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tests.Testing;

namespace Recur.Tests.Models;

public class StreamingTests
{
    [Theory]
    [InlineData(1, 2, 6)]
    [InlineData(3, 2, 6)]
    [InlineData(1, 1, 70)] // one stream, units split across threads at every step
    [InlineData(3, 1, 70)]
    public void Feeding_chunks_to_a_stateful_model_equals_the_whole_sequence(int chunk, int batch, int units)
    {
        var model = new Sequential(3, new Lstm(units, returnSequences: true, numLayers: 2), new Gru(units - 1, returnSequences: true), new Dense(2));
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, batch, 12, 3);
        var whole = model.Predict(x);
        model.Stateful = true;
        for (int pass = 0; pass < 2; pass++) // twice: ResetStates must start the stream over
        {
            model.ResetStates();
            for (int t0 = 0; t0 < 12; t0 += chunk)
            {
                var part = Slice(x, t0, chunk);
                var y = model.PredictOnBatch(part);
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < chunk; t++)
                        for (int k = 0; k < 2; k++)
                            Assert.Equal(whole[b, t0 + t, k], y[b, t, k], 5);
            }
        }
    }

    [Fact]
    public void A_stateful_layer_refuses_a_different_batch_until_reset()
    {
        var lstm = new Lstm(3) { Stateful = true };
        lstm.Forward(Tensor.Zeros(2, 4, 1));
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(3, 4, 1)));
        Assert.Contains("ResetStates", e.Message);
        lstm.ResetStates();
        lstm.Forward(Tensor.Zeros(3, 4, 1));
        Assert.Throws<InvalidOperationException>(() => new Lstm(3, bidirectional: true).Stateful = true);
    }

    [Fact]
    public void Truncated_bptt_carries_the_state_and_cuts_the_gradient_at_chunk_edges()
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(2), 1f, 2, 8, 2);
        var y = GradientCheck.RandomTensor(new SeededRandom(3), 1f, 2, 4, 1);
        var model = new Sequential(4, new Lstm(3, returnSequences: true), new Dense(1)) { Stateful = false };
        model.Compile(new Sgd(0f), Loss.MeanSquaredError()); // lr 0: weights stay, gradients are inspected
        model.Build(4, 2);
        model.Stateful = true;
        model.TrainOnBatch(Slice(x, 0, 4), y);
        var lstm = (Lstm)model.Layers[0];
        // The state entering chunk 2 is the final state of chunk 1.
        var carried = lstm.ForwardWithState(Slice(x, 0, 4)).HiddenState;
        var carriedCell = lstm.ForwardWithState(Slice(x, 0, 4)).CellState;
        model.TrainOnBatch(Slice(x, 4, 4), y);
        var streamed = lstm.Parameters.Select(p => p.Grad.ToArray()).ToArray();

        // Same gradients as a plain run of chunk 2 from that state taken as a constant.
        var reference = new Sequential(4, new Lstm(3, returnSequences: true), new Dense(1));
        reference.Build(4, 2);
        for (int i = 0; i < model.Parameters.Count; i++) reference.Parameters[i].Value.CopyFrom(model.Parameters[i].Value);
        var refLstm = (Lstm)reference.Layers[0];
        var dense = (Dense)reference.Layers[1];
        refLstm.ZeroGrad();
        var seq = refLstm.ForwardWithState(Slice(x, 4, 4), carried, carriedCell).Output;
        var pred = dense.Forward(seq);
        var grad = Loss.MeanSquaredError().Compute(pred, y).Gradient;
        refLstm.BackwardWithState(dense.Backward(grad));
        for (int i = 0; i < streamed.Length; i++)
            Assert.Equal(refLstm.Parameters[i].Grad.ToArray(), streamed[i]);
    }

    private static Tensor Slice(Tensor x, int t0, int steps)
    {
        int B = x.Size(0), T = x.Size(1), F = x.Size(2);
        var r = Tensor.Zeros(B, steps, F);
        for (int b = 0; b < B; b++) x.Span.Slice((b * T + t0) * F, steps * F).CopyTo(r.Span.Slice(b * steps * F));
        return r;
    }
}
