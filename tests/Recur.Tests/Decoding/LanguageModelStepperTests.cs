using Recur.Decoding;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Tests.Decoding;

public class LanguageModelStepperTests
{
    private static Sequential Model()
    {
        var model = new Sequential(seed: 3,
            new Embedding(6, 4),
            new Lstm(5, returnSequences: true, numLayers: 2),
            new Dropout(0.5f),
            new Gru(3, returnSequences: true),
            new Dense(6));
        model.Build(-1);
        return model;
    }

    [Fact]
    public void Stepping_one_token_at_a_time_equals_the_whole_sequence()
    {
        var model = Model();
        int[][] ids = [[1, 4, 2, 5, 0, 3, 3], [5, 5, 1, 0, 2, 4, 1]];
        var x = Tensor.FromArray(ids.SelectMany(r => r.Select(i => (float)i)).ToArray(), 2, 7);
        var logits = model.Predict(x); // (2, 7, 6)
        var expected = new float[logits.Length];
        LogSoftmax.Rows(logits.Span, expected, 14, 6);

        var stepper = new LanguageModelStepper(model);
        var state = stepper.Initial(2);
        var logp = new float[12];
        for (int t = 0; t < 7; t++)
        {
            state = stepper.Step([ids[0][t], ids[1][t]], state, logp);
            for (int b = 0; b < 2; b++)
                for (int v = 0; v < 6; v++)
                    Assert.Equal(expected[(b * 7 + t) * 6 + v], logp[b * 6 + v], 5);
        }
    }

    [Fact]
    public void Selected_rows_continue_as_the_rows_they_came_from()
    {
        var model = Model();
        var stepper = new LanguageModelStepper(model);
        var logp2 = new float[12];
        var state = stepper.Step([1, 2], stepper.Initial(2), logp2);
        state = stepper.Step([3, 4], state, logp2);
        // Rows (1, 1, 0): two copies of row 1, then row 0.
        var picked = stepper.SelectRows(state, [1, 1, 0]);
        var logp3 = new float[18];
        stepper.Step([5, 5, 5], picked, logp3);
        stepper.Step([5, 5], state, logp2);
        for (int v = 0; v < 6; v++)
        {
            Assert.Equal(logp2[6 + v], logp3[v]);
            Assert.Equal(logp2[6 + v], logp3[6 + v]);
            Assert.Equal(logp2[v], logp3[12 + v]);
        }
    }

    [Fact]
    public void Other_layer_stacks_are_refused_with_the_layers_named()
    {
        var model = new Sequential(seed: 1, new Embedding(4, 2), new Lstm(3), new Dense(4));
        model.Build(-1);
        var e = Assert.Throws<ArgumentException>("model", () => new LanguageModelStepper(model));
        Assert.Contains("Embedding → Lstm → Dense", e.Message);
    }
}
