using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: T time, I input, H hidden; batch 1, which the loop steps unit by unit.

/// <summary>
/// A one-row call steps with W_hhᵀ packed in unit panels, kept between calls while W_hh stays
/// the same. Any change of W_hh, to all zeros as well, is the weight the next call uses: it
/// answers as a fresh layer given the new weights.
/// </summary>
public sealed class OneRowWeightChangeTests
{
    private const int T = 4, I = 3, H = 5;

    public static TheoryData<string> Cells() => new() { "lstm", "gru", "rnn_tanh" };

    private static RecurrentLayer Build(string cell)
    {
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true, Initialization = RecurrentInit.PyTorch });
        layer.Build(new[] { T, I }, new SeededRandom(31));
        return layer;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void W_hh_changed_between_one_row_calls_is_the_one_the_next_call_uses(string cell)
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(32), 1f, 1, T, I);
        var layer = Build(cell);
        var before = layer.Infer(x).Output.ToArray();
        var whh = layer.Parameters.Single(p => p.Name == "weight_hh_l0");
        foreach (float[] values in new[] { new float[whh.Value.Length], GradientCheck.RandomTensor(new SeededRandom(33), 0.5f, whh.Value.Length).ToArray() })
        {
            values.CopyTo(whh.Value.Span);
            var fresh = Build(cell);
            values.CopyTo(fresh.Parameters.Single(p => p.Name == "weight_hh_l0").Value.Span);
            var expected = fresh.Infer(x).Output.ToArray();
            Assert.NotEqual(before, expected);
            Assert.Equal(expected, layer.Infer(x).Output.ToArray());
            Assert.Equal(expected, layer.Infer(x).Output.ToArray()); // unchanged weights: the same answer again
        }
    }
}
