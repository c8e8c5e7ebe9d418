using Recur.Decoding;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Tests.Decoding;

public class LanguageModelStepperConcatTests
{
    [Fact]
    public void Streams_stepped_apart_continue_bit_for_bit_when_concatenated_into_one_batch()
    {
        var model = new Sequential(seed: 5, new Embedding(7, 4), new Lstm(5, returnSequences: true, numLayers: 2), new Gru(3, returnSequences: true), new Dense(7));
        model.Build(-1);
        var stepper = new LanguageModelStepper(model);
        var logp = new float[7];
        // Stream a has read 3 tokens, b one, c nothing (still at zeros).
        var a = stepper.Feed(stepper.Initial(1), [1, 4, 2]);
        var b = stepper.Feed(stepper.Initial(1), [6]);
        var c = stepper.Initial(1);
        var merged = stepper.Concat([a, b, c]);
        Assert.Equal(3, merged.Rows);
        var together = new float[21];
        var next = stepper.Step([3, 0, 5], merged, together);
        int[] tokens = [3, 0, 5];
        var parts = new[] { a, b, c };
        for (int r = 0; r < 3; r++)
        {
            var alone = stepper.Step([tokens[r]], parts[r], logp);
            Assert.Equal(logp, together.AsSpan(r * 7, 7).ToArray()); // exact: no row depends on the others
            // The concatenated state's row continues as the stream's own state does.
            var after = new float[7];
            stepper.Step([2], stepper.SelectRows(next, [r]), after);
            stepper.Step([2], alone, logp);
            Assert.Equal(logp, after);
        }
        Assert.Throws<ArgumentException>(() => stepper.Concat([]));
    }
}
