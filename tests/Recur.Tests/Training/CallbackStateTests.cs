using Recur.Training;

namespace Recur.Tests.Training;

public class CallbackStateTests
{
    [Fact]
    public void Numbers_texts_and_tensors_are_kept_apart_and_tensors_are_copied()
    {
        var state = new CallbackState();
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        state.Set("best", double.NegativeInfinity);
        state.Set("file", "e3.recur");
        state.Set("weights", t);
        t.Span[0] = 99; // changed after Set: the state keeps the value it was given
        Assert.Equal(double.NegativeInfinity, state.GetNumber("best"));
        Assert.Equal("e3.recur", state.GetText("file"));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, state.GetTensor("weights").ToArray());
        Assert.Equal(new[] { 2, 2 }, state.GetTensor("weights").ShapeArray);
        Assert.True(state.Contains("best"));
        Assert.True(state.Contains("file"));
        Assert.True(state.Contains("weights"));
        Assert.False(state.Contains("wait"));

        var view = Tensor.FromArray(new float[] { 5 }, 1);
        state.SetView("view", view);
        Assert.Same(view, state.GetTensor("view"));
    }

    [Fact]
    public void A_missing_entry_names_its_kind_and_the_stored_ones()
    {
        var state = new CallbackState();
        Assert.Equal("The callback state has no number 'wait'; it has: (none).", Assert.Throws<KeyNotFoundException>(() => state.GetNumber("wait")).Message);
        state.Set("best", 1.0);
        state.Set("epoch", 2.0);
        state.Set("file", "a");
        Assert.Equal("The callback state has no number 'wait'; it has: best, epoch.", Assert.Throws<KeyNotFoundException>(() => state.GetNumber("wait")).Message);
        Assert.Equal("The callback state has no text 'best'; it has: file.", Assert.Throws<KeyNotFoundException>(() => state.GetText("best")).Message);
        Assert.Equal("The callback state has no tensor 'file'; it has: (none).", Assert.Throws<KeyNotFoundException>(() => state.GetTensor("file")).Message);
    }

    [Fact]
    public void Empty_keys_and_null_values_are_refused()
    {
        var state = new CallbackState();
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => state.Set("", 1.0)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => state.Set(null!, "x")).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => state.Set("", Tensor.Zeros(1))).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => state.SetView("", Tensor.Zeros(1))).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => state.Set("a", (string)null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => state.Set("a", (Tensor)null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => state.SetView("a", null!)).ParamName);
        Assert.False(state.Contains("a"));
    }
}
