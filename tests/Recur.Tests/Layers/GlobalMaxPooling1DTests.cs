using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

public class GlobalMaxPooling1DTests
{
    [Fact]
    public void Takes_the_maximum_over_real_steps_only()
    {
        // (B=1, T=3, F=2); the padded last step holds the largest values and must be ignored.
        var x = Tensor.FromArray(new float[] { 1, -5, 3, -2, 9, 9 }, 1, 3, 2);
        var pool = new GlobalMaxPooling1D();
        var y = pool.Forward(x, SequenceMask.FromLengths(new[] { 2 }, 3));
        Assert.Equal(new float[] { 3, -2 }, y.ToArray());
        var dx = pool.Backward(Tensor.FromArray(new float[] { 10, 20 }, 1, 2));
        Assert.Equal(new float[] { 0, 0, 10, 20, 0, 0 }, dx.ToArray());
        Assert.Equal(new float[] { 0, 0 }, pool.Forward(x, SequenceMask.FromLengths(new[] { 0 }, 3)).ToArray());
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        var r = new SeededRandom(3);
        var x = GradientCheck.RandomTensor(r, 1f, 2, 5, 4);
        var mask = SequenceMask.FromLengths(new[] { 5, 3 }, 5);
        var pool = new GlobalMaxPooling1D();
        var w = GradientCheck.RandomWeights(8, 4);
        pool.Forward(x, mask);
        var dx = pool.Backward(new Tensor(w, 2, 4));
        GradientCheck.Check("input", x.Data, dx.Span, () => GradientCheck.Dot(pool.Forward(x, mask).Span, w), eps: 1e-3f);
    }

    [Fact]
    public void Pools_a_masked_recurrent_sequence_and_round_trips_through_a_model_file()
    {
        var model = new Sequential(2, new Embedding(9, 4, maskZero: true), new Lstm(5, returnSequences: true), new GlobalMaxPooling1D(), new Dense(1));
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 0, 0, 4, 5, 6, 7, 8 }, 2, 5);
        var y = model.Predict(x);
        var trimmed = model.Predict(Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 3));
        Assert.Equal(trimmed.Span[0], y.Span[0], 5);
        string path = Path.Combine(Path.GetTempPath(), $"pool-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            Assert.Equal(y.ToArray(), Model.Load(path).Predict(x).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
