using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, I input, H hidden; one layer, one direction.

/// <summary>
/// Which draws of the layer's dropout generator become which mask: a copy of the generator
/// (taken before the call) is the independent reference. Zoneout draws the h masks of every
/// step, then the c masks, and a unit keeps its value when its draw is below the rate;
/// variational dropout draws m_x, then m_h, and keeps an entry when its draw is below 1 − rate.
/// A rate of 0 draws nothing, so the next call's masks are the next draws.
/// </summary>
public sealed class DropoutMaskDrawTests
{
    private const int B = 3, I = 4, H = 5;

    private static Lstm Build(RecurrentOptions options)
    {
        var layer = new Lstm(H, options);
        layer.Build(new[] { 1, I }, new SeededRandom(11));
        return layer;
    }

    private static SeededRandom CopyOfStream(RecurrentLayer layer)
    {
        var copy = new SeededRandom(1);
        copy.LoadState(layer.RandomStreams.Single().SaveState());
        return copy;
    }

    private static bool[] Draw(SeededRandom r, int n, float below)
    {
        var kept = new bool[n];
        for (int k = 0; k < n; k++) kept[k] = r.NextFloat() < below;
        return kept;
    }

    /// <summary>One training step (T = 1) from h0, c0: which units of h and of c kept their entering value.</summary>
    private static (bool[] Hidden, bool[] Cell) Kept(RecurrentLayer layer, Tensor x, Tensor h0, Tensor c0)
    {
        var o = layer.ForwardWithState(x, h0, c0, training: true);
        var h = o.HiddenState.ToArray();
        var c = o.CellState!.ToArray();
        return (h.Select((v, k) => v == h0.Span[k]).ToArray(), c.Select((v, k) => v == c0.Span[k]).ToArray());
    }

    [Theory]
    [InlineData(0.4f, 0f)]
    [InlineData(0f, 0.4f)]
    [InlineData(0.3f, 0.6f)]
    public void Zoneout_keeps_the_units_whose_draws_are_below_the_rate_h_first_then_c_and_a_zero_rate_draws_nothing(float hiddenRate, float cellRate)
    {
        var layer = Build(new RecurrentOptions { ReturnSequences = true, ZoneoutHidden = hiddenRate, ZoneoutCell = cellRate });
        var r = new SeededRandom(12);
        var h0 = GradientCheck.RandomTensor(r, 1f, 1, B, H);
        var c0 = GradientCheck.RandomTensor(r, 1f, 1, B, H);
        var reference = CopyOfStream(layer);
        for (int call = 0; call < 3; call++)
        {
            var x = GradientCheck.RandomTensor(r, 1f, B, 1, I);
            var expectedHidden = hiddenRate > 0f ? Draw(reference, B * H, hiddenRate) : new bool[B * H];
            var expectedCell = cellRate > 0f ? Draw(reference, B * H, cellRate) : new bool[B * H];
            var (hidden, cell) = Kept(layer, x, h0, c0);
            Assert.Equal(expectedHidden, hidden);
            Assert.Equal(expectedCell, cell);
        }
    }

    [Fact]
    public void Zoneout_does_not_keep_a_unit_whose_draw_equals_the_rate()
    {
        var probe = Build(new RecurrentOptions { ReturnSequences = true, ZoneoutHidden = 0.5f });
        float first = CopyOfStream(probe).NextFloat(); // the draw of h's unit 0, row 0
        Assert.InRange(first, 0.01f, 0.99f);
        var layer = Build(new RecurrentOptions { ReturnSequences = true, ZoneoutHidden = first });
        var reference = CopyOfStream(layer);
        var r = new SeededRandom(13);
        var h0 = GradientCheck.RandomTensor(r, 1f, 1, B, H);
        var c0 = GradientCheck.RandomTensor(r, 1f, 1, B, H);
        var (hidden, _) = Kept(layer, GradientCheck.RandomTensor(r, 1f, B, 1, I), h0, c0);
        Assert.False(hidden[0]);
        Assert.Equal(Draw(reference, B * H, first), hidden);
    }

    /// <summary>m_x of one training call (T = 1): the inputs whose ∂L/∂x is exactly 0 were dropped.</summary>
    private static bool[] InputsKept(RecurrentLayer layer, SeededRandom r)
    {
        var x = GradientCheck.RandomTensor(r, 1f, B, 1, I);
        layer.ForwardWithState(x, training: true);
        var g = layer.BackwardWithState(GradientCheck.RandomTensor(r, 1f, B, 1, H));
        return g.Input!.ToArray().Select(v => v != 0f).ToArray();
    }

    [Theory]
    [InlineData(0.4f, 0f)]
    [InlineData(0.4f, 0.3f)]
    public void Variational_dropout_keeps_the_inputs_whose_draws_are_below_the_keep_rate_and_a_zero_recurrent_rate_draws_nothing(
        float inputRate, float recurrentRate)
    {
        var layer = Build(new RecurrentOptions { ReturnSequences = true, InputDropout = inputRate, RecurrentDropout = recurrentRate });
        var reference = CopyOfStream(layer);
        var r = new SeededRandom(14);
        for (int call = 0; call < 3; call++)
        {
            var expected = Draw(reference, B * I, 1f - inputRate);
            if (recurrentRate > 0f) Draw(reference, B * H, 1f - recurrentRate);
            Assert.Equal(expected, InputsKept(layer, r));
        }
    }

    [Fact]
    public void Variational_dropout_drops_an_input_whose_draw_equals_the_keep_rate()
    {
        var probe = Build(new RecurrentOptions { ReturnSequences = true, InputDropout = 0.5f });
        var draws = CopyOfStream(probe);
        // A draw u ≥ 0.5 among m_x's: rate = 1 − u is exact, and so is the keep rate 1 − rate = u.
        int at = -1;
        float u = 0f;
        for (int k = 0; k < B * I && at < 0; k++)
        {
            float v = draws.NextFloat();
            if (v >= 0.5f && v < 0.99f) (at, u) = (k, v);
        }
        Assert.True(at >= 0);
        float rate = 1f - u;
        Assert.Equal(u, 1f - rate);
        var layer = Build(new RecurrentOptions { ReturnSequences = true, InputDropout = rate });
        var reference = CopyOfStream(layer);
        var kept = InputsKept(layer, new SeededRandom(15));
        Assert.False(kept[at]);
        Assert.Equal(Draw(reference, B * I, u), kept);
    }
}
