using Recur.Initializers;
using Recur.Layers.Recurrent;

namespace Recur.Tests.Layers;

public class InitializerTests
{
    [Theory]
    [InlineData(12, 3)]
    [InlineData(3, 12)]
    [InlineData(8, 8)]
    public void Orthogonal_has_orthonormal_columns_or_rows(int rows, int cols)
    {
        var w = new float[rows * cols];
        Initializer.Orthogonal(w, rows, cols, new SeededRandom(1));
        bool byColumns = rows >= cols;
        int n = byColumns ? cols : rows, len = byColumns ? rows : cols;
        float At(int vec, int k) => byColumns ? w[k * cols + vec] : w[vec * cols + k];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < len; k++) dot += At(a, k) * At(b, k);
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 5);
            }
    }

    [Fact]
    public void Keras_defaults_glorot_input_orthogonal_recurrent_forget_bias_one()
    {
        var lstm = new Lstm(8);
        lstm.Build(new[] { 5, 6 }, new SeededRandom(3));
        var wih = lstm.GetParameter("weight_ih_l0").Value.Span.ToArray();
        float limit = MathF.Sqrt(6f / (6 + 32));
        Assert.All(wih, v => Assert.InRange(v, -limit, limit));
        Assert.True(wih.Max() > 0.8f * limit && wih.Min() < -0.8f * limit, "Glorot draws should span the range");
        var bih = lstm.GetParameter("bias_ih_l0").Value.Span.ToArray();
        Assert.Equal(Enumerable.Repeat(0f, 8).Concat(Enumerable.Repeat(1f, 8)).Concat(Enumerable.Repeat(0f, 16)), bih);
        Assert.All(lstm.GetParameter("bias_hh_l0").Value.Span.ToArray(), v => Assert.Equal(0f, v));
        // W_hh (4H, H): orthonormal columns, as Keras' (H, 4H) recurrent kernel has orthonormal rows.
        var whh = lstm.GetParameter("weight_hh_l0").Value;
        for (int a = 0; a < 8; a++)
        {
            double norm = 0;
            for (int k = 0; k < 32; k++) norm += whh[k, a] * whh[k, a];
            Assert.Equal(1.0, norm, 5);
        }
    }

    [Fact]
    public void Pytorch_option_draws_everything_from_plus_minus_one_over_root_h()
    {
        var gru = new Gru(16, initialization: RecurrentInit.PyTorch);
        gru.Build(new[] { 5, 4 }, new SeededRandom(4));
        float k = 1f / 4f;
        foreach (var p in gru.Parameters)
        {
            Assert.All(p.Value.Span.ToArray(), v => Assert.InRange(v, -k, k));
            Assert.True(p.Value.Span.ToArray().Max() > 0.5f * k, $"{p.Name} should use the range");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        float[] Weights(ulong seed)
        {
            var l = new SimpleRnn(5, numLayers: 2, bidirectional: true);
            l.Build(new[] { 3, 2 }, new SeededRandom(seed));
            return l.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        }
        Assert.Equal(Weights(9), Weights(9));
        Assert.NotEqual(Weights(9), Weights(10));
    }
}
