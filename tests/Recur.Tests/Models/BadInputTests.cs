using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>Every bad input is refused with a message naming what is wrong, before any training work.</summary>
public class BadInputTests
{
    private static Sequential Compiled(out float[] weights)
    {
        var m = new Sequential(1, new Lstm(4), new Dense(3)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.1f), Loss.SparseCategoricalCrossEntropy(fromLogits: true));
        m.Build(5, 2);
        weights = Snapshot(m);
        return m;
    }

    private static float[] Snapshot(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    private static (Tensor X, Tensor Y) Data(int n) => (Tensor.Full(0.5f, n, 5, 2), Tensor.Zeros(n));

    [Fact]
    public void Fit_before_compile_says_to_compile()
    {
        var m = new Sequential(new Lstm(4), new Dense(1));
        var (x, y) = Data(4);
        var e = Assert.Throws<InvalidOperationException>(() => m.Fit(x, y));
        Assert.Contains("Compile", e.Message);
        Assert.Throws<InvalidOperationException>(() => m.Evaluate(x, y));
    }

    [Fact]
    public void Labels_out_of_range_are_refused_before_any_update()
    {
        var m = Compiled(out var w);
        var (x, y) = Data(6);
        y.Span[4] = 3; // three classes: 0, 1, 2
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y, batchSize: 2));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("y[4] is 3", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.Equal(w, Snapshot(m));
    }

    [Fact]
    public void Empty_data_is_refused()
    {
        var m = Compiled(out _);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(Tensor.Zeros(0, 5, 2), Tensor.Zeros(0)));
        Assert.Contains("no samples", e.Message);
    }

    [Fact]
    public void Batch_larger_than_the_data_names_both_numbers()
    {
        var m = Compiled(out _);
        var (x, y) = Data(10);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, batchSize: 8, validationSplit: 0.5));
        Assert.Equal("batchSize", e.ParamName);
        Assert.Contains("8", e.Message);
        Assert.Contains("only 5 training samples", e.Message);
    }

    [Fact]
    public void Non_finite_inputs_and_targets_are_refused_with_their_position()
    {
        var m = Compiled(out var w);
        var (x, y) = Data(4);
        x[2, 1, 0] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => m.Fit(x, y));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("NaN", e.Message);
        var (x2, y2) = Data(4);
        y2.Span[1] = float.PositiveInfinity;
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => m.Fit(x2, y2)).ParamName);
        Assert.Equal(w, Snapshot(m));
    }

    [Fact]
    public void Mismatched_sample_counts_are_refused()
    {
        var m = Compiled(out _);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(Tensor.Zeros(4, 5, 2), Tensor.Zeros(3)));
        Assert.Contains("4 samples", e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void Wrong_shapes_between_layers_name_the_layer()
    {
        var m = new Sequential(new Dense(4), new Lstm(3));
        var e = Assert.Throws<ArgumentException>(() => m.Build(6));
        Assert.Contains("'lstm'", e.Message);
        Assert.Contains("(batch, 4)", e.Message);
        var m2 = new Sequential(new Lstm(3), new Dense(2));
        m2.Build(5, 2);
        var e2 = Assert.Throws<ArgumentException>(() => m2.Predict(Tensor.Zeros(1, 5, 3)));
        Assert.Contains("'lstm'", e2.Message);
    }

    [Fact]
    public void Targets_that_do_not_fit_the_output_say_what_the_loss_expects()
    {
        var m = Compiled(out _);
        var e = Assert.Throws<ArgumentException>(() => m.Fit(Tensor.Zeros(4, 5, 2), Tensor.Zeros(4, 7)));
        Assert.Contains("(4, 7)", e.Message);
        Assert.Contains("expects targets (4,)", e.Message);
    }

    [Fact]
    public void Bad_hyper_parameters_are_refused()
    {
        var m = Compiled(out _);
        var (x, y) = Data(4);
        Assert.Equal("epochs", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, epochs: 0)).ParamName);
        Assert.Equal("validationSplit", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, validationSplit: 1.0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Compile(new Sgd(0.1f), Loss.MeanSquaredError(), null, clipNorm: -1f));
    }
}
