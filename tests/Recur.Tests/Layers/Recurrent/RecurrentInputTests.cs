using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>Bad input to a recurrent layer: a clear message naming the argument, expected and actual value.</summary>
public class RecurrentInputTests
{
    private static Lstm Built()
    {
        var lstm = new Lstm(4, new RecurrentOptions { NumLayers = 2, ReturnSequences = true, CheckFinite = true });
        lstm.Build(new[] { 5, 3 });
        return lstm;
    }

    [Fact]
    public void Wrong_rank_names_the_expected_layout()
    {
        var e = Assert.Throws<ArgumentException>(() => Built().ForwardWithState(Tensor.Zeros(2, 3)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(batch, time, features)", e.Message);
    }

    [Fact]
    public void Wrong_feature_count_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Built().ForwardWithState(Tensor.Zeros(2, 5, 7)));
        Assert.Contains("(batch, T, 3)", e.Message);
        Assert.Contains("(batch, 5, 7)", e.Message);
    }

    [Fact]
    public void Initial_states_must_be_layers_by_batch_by_hidden()
    {
        var lstm = Built();
        var e = Assert.Throws<ArgumentException>(() => lstm.ForwardWithState(Tensor.Zeros(2, 5, 3), Tensor.Zeros(1, 2, 4)));
        Assert.Equal("initialHidden", e.ParamName);
        Assert.Contains("expected (2, 2, 4)", e.Message);
        var gru = new Gru(4);
        var e2 = Assert.Throws<ArgumentException>(() => gru.ForwardWithState(Tensor.Zeros(2, 5, 3), null, Tensor.Zeros(1, 2, 4)));
        Assert.Equal("initialCell", e2.ParamName);
        Assert.Contains("no cell state", e2.Message);
    }

    [Fact]
    public void Mask_must_match_the_input()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Built().ForwardWithState(Tensor.Zeros(2, 5, 3), mask: SequenceMask.FromLengths(new[] { 5, 5, 5 }, 5)));
        Assert.Equal("mask", e.ParamName);
        Assert.Contains("(3, 5)", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceMask.FromLengths(new[] { 6 }, 5));
    }

    [Fact]
    public void Non_finite_input_is_refused_when_checking_is_on()
    {
        var x = Tensor.Zeros(2, 5, 3);
        x[1, 4, 2] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Built().ForwardWithState(x));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("NaN", e.Message);
        var h0 = Tensor.Zeros(2, 2, 4);
        h0.Span[3] = float.PositiveInfinity;
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => Built().ForwardWithState(Tensor.Zeros(2, 5, 3), h0)).ParamName);
    }

    [Fact]
    public void Backward_before_forward_and_wrong_gradient_shapes_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Built().BackwardWithState(Tensor.Zeros(2, 5, 4)));
        var lstm = Built();
        lstm.ForwardWithState(Tensor.Zeros(2, 5, 3));
        var e = Assert.Throws<ArgumentException>(() => lstm.BackwardWithState(Tensor.Zeros(2, 4, 4)));
        Assert.Equal("gradOutput", e.ParamName);
        Assert.Contains("expected (2, 5, 4)", e.Message);
    }
}
