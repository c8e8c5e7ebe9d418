using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

/// <summary><see cref="Masking"/>: steps whose features all equal the padding value are skipped downstream and output as zeros.</summary>
public class MaskingTests
{
    [Fact]
    public void Padded_steps_are_masked_zeroed_and_invisible_to_a_recurrent_layer()
    {
        const int B = 3, T = 5, F = 2;
        int[] lengths = { 5, 3, 1 };
        var x = GradientCheck.RandomTensor(new SeededRandom(41), 1f, B, T, F);
        for (int b = 0; b < B; b++)
            for (int t = lengths[b]; t < T; t++)
                for (int f = 0; f < F; f++) x[b, t, f] = -1f;
        x[0, 2, 0] = -1f; // one feature at the padding value does not make a step padding

        var masking = new Masking(-1f);
        var mask = masking.ComputeMask(x, null)!;
        var y = masking.Forward(x, mask);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
            {
                Assert.Equal(t < lengths[b], mask[b, t]);
                for (int f = 0; f < F; f++) Assert.Equal(t < lengths[b] ? x[b, t, f] : 0f, y[b, t, f]);
            }

        var model = new Sequential(43, new Masking(-1f), new Lstm(4));
        var padded = model.Predict(x);
        for (int b = 0; b < B; b++)
        {
            var alone = model.Predict(Tensor.FromArray(x.Span.Slice(b * T * F, lengths[b] * F), 1, lengths[b], F));
            for (int j = 0; j < 4; j++) Assert.Equal(alone[0, j], padded[b, j], 1e-6f);
        }
    }
}
