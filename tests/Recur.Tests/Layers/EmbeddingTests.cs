using Recur.Layers;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

public class EmbeddingTests
{
    private static Tensor Ids(int steps, params float[] ids) => Tensor.FromArray(ids, ids.Length / steps, steps);

    [Fact]
    public void Weight_is_V_by_E_and_uniform_in_keras_range()
    {
        var emb = new Embedding(50, 8);
        emb.Build(new[] { -1 }, new SeededRandom(1));
        Assert.Equal("weight", Assert.Single(emb.Parameters).Name);
        Assert.Equal(new[] { 50, 8 }, emb.Weight!.Value.ShapeArray);
        var w = emb.Weight.Value.ToArray();
        Assert.All(w, v => Assert.InRange(v, -0.05f, 0.05f));
        Assert.True(w.Max() > 0.04f && w.Min() < -0.04f, "weights should fill U(-0.05, 0.05)");
    }

    [Fact]
    public void Forward_copies_the_rows_of_the_ids()
    {
        var emb = new Embedding(5, 3);
        var ids = Ids(3, 4, 0, 2, 2, 1, 4);
        var y = emb.Forward(ids);
        Assert.Equal(new[] { 2, 3, 3 }, y.ShapeArray);
        var w = emb.Weight!.Value;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                for (int e = 0; e < 3; e++)
                    Assert.Equal(w[(int)ids[b, t], e], y[b, t, e]);
    }

    [Fact]
    public void Weight_gradient_matches_finite_differences_and_input_gradient_is_zero()
    {
        var emb = new Embedding(6, 4);
        emb.Build(new[] { -1 }, new SeededRandom(2));
        var ids = Ids(4, 1, 3, 3, 5, 0, 1, 3, 2); // repeated ids accumulate
        LayerGradientCheck.Check(emb, ids, checkInput: false);
        var dx = emb.Backward(GradientCheck.RandomTensor(new SeededRandom(3), 1f, 2, 4, 4));
        Assert.Equal(new[] { 2, 4 }, dx.ShapeArray);
        Assert.All(dx.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Padding_row_starts_at_zero_and_gets_no_gradient()
    {
        var emb = new Embedding(5, 3, paddingIndex: 2);
        emb.Build(new[] { -1 }, new SeededRandom(4));
        Assert.All(emb.Weight!.Value.ToArray()[6..9], v => Assert.Equal(0f, v));

        var ids = Ids(3, 2, 1, 2, 0, 2, 4);
        // Unlike the other rows, the padding row's gradient differs from its finite difference on purpose.
        emb.Forward(ids);
        emb.Backward(Tensor.Full(1f, 2, 3, 3));
        var g = emb.Weight.Grad;
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(0f, g[2, e]);
            Assert.Equal(1f, g[1, e]);
            Assert.Equal(1f, g[0, e]);
            Assert.Equal(1f, g[4, e]);
        }
    }

    [Fact]
    public void With_a_padding_index_the_other_rows_match_finite_differences()
    {
        const int v = 5, e = 3, pad = 2;
        var emb = new Embedding(v, e, paddingIndex: pad);
        emb.Build(new[] { -1 }, new SeededRandom(8));
        var ids = Ids(4, 2, 1, 2, 0, 4, 2, 1, 3);
        var r = GradientCheck.RandomWeights(ids.Length * e, 9);
        emb.Forward(ids);
        emb.Backward(Tensor.FromArray(r, 2, 4, e));
        Assert.All(emb.Weight!.Grad.ToArray()[(pad * e)..((pad + 1) * e)], g => Assert.Equal(0f, g));

        // Perturb only the non-padding rows (the padding row is a constant, as in PyTorch).
        int[] rows = Enumerable.Range(0, v).Where(i => i != pad).ToArray();
        float[] Pick(float[] all) => rows.SelectMany(i => all[(i * e)..((i + 1) * e)]).ToArray();
        var others = Pick(emb.Weight.Value.ToArray());
        var analytic = Pick(emb.Weight.Grad.ToArray());
        double Loss()
        {
            for (int k = 0; k < rows.Length; k++)
                others.AsSpan(k * e, e).CopyTo(emb.Weight.Value.Span.Slice(rows[k] * e, e));
            return GradientCheck.Dot(emb.Forward(ids).Span, r);
        }
        GradientCheck.Check("embedding weight (non-padding rows)", others, analytic, Loss, eps: 1e-3f);
    }

    [Fact]
    public void MaskZero_marks_id_zero_as_padding()
    {
        var ids = Ids(4, 3, 1, 0, 0, 2, 0, 5, 0);
        var mask = new Embedding(6, 2, maskZero: true).ComputeMask(ids, null);
        Assert.NotNull(mask);
        Assert.Equal(new[] { true, true, false, false, true, false, true, false }, mask!.Flags.ToArray());
        var given = SequenceMask.FromLengths(new[] { 1, 2 }, 4);
        Assert.Same(given, new Embedding(6, 2).ComputeMask(ids, given));
    }

    [Theory]
    [InlineData(1.5f, "1.5")]
    [InlineData(-1f, "-1")]
    [InlineData(6f, "6")]
    [InlineData(float.NaN, "NaN")]
    public void Bad_ids_name_position_value_and_range(float bad, string shown)
    {
        var emb = new Embedding(6, 2);
        var ids = Ids(3, 1, 2, 3, 4, bad, 0);
        var ex = Assert.Throws<ArgumentException>(() => emb.Forward(ids));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("input[1, 1]", ex.Message);
        Assert.Contains(shown, ex.Message);
        Assert.Contains("[0, 6)", ex.Message);
        Assert.False(emb.IsBuilt); // checked before any work
    }

    [Fact]
    public void Bad_construction_and_shapes_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, 0));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, 2, paddingIndex: 3));
        Assert.Equal("paddingIndex", ex.ParamName);
        Assert.Throws<ArgumentException>(() => new Embedding(3, 2).Forward(Tensor.Zeros(2, 2, 1)));
        Assert.Equal(new[] { 7, 2 }, new Embedding(3, 2).ComputeOutputShape(new[] { 7 }));
    }
}

public class EmbeddingModelFileTests
{
    [Fact]
    public void A_loaded_embedding_model_accepts_any_sequence_length()
    {
        using var dir = new Recur.Tests.Serialization.TempDirectory();
        var model = new Recur.Models.Sequential(3, new Embedding(10, 4, maskZero: true), new Recur.Layers.Recurrent.Lstm(5), new Dense(2));
        model.Build(-1);
        var shortIds = Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 3);
        var longIds = Tensor.FromArray(new float[] { 4, 5, 6, 7, 8, 9, 1 }, 1, 7);
        var expectedShort = model.PredictOnBatch(shortIds).ToArray();
        var expectedLong = model.PredictOnBatch(longIds).ToArray();
        model.Save(dir.File("m.recur"));

        var loaded = Recur.Models.Model.Load(dir.File("m.recur"));

        Assert.Equal(new[] { -1 }, loaded.InputShape);
        Assert.Equal(expectedLong, loaded.PredictOnBatch(longIds).ToArray());
        Assert.Equal(expectedShort, loaded.PredictOnBatch(shortIds).ToArray());
    }
}
