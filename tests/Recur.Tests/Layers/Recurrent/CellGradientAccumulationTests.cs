using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, P projection.

/// <summary>
/// Parameter gradients accumulate over backward passes until zeroed, for the weights a cell
/// accumulates itself after the loop: W_hr of a projected LSTM, W_hh (and the gains) of the
/// layer-normalised cells. Two identical passes give twice the gradient of one.
/// </summary>
public sealed class CellGradientAccumulationTests
{
    private const int B = 2, T = 3, I = 3, H = 4;

    public static TheoryData<string> Cases() => new() { "lstm_projected", "lstm_layernorm", "gru_layernorm" };

    private static RecurrentLayer Build(string name)
    {
        var options = new RecurrentOptions
        {
            ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
            ProjectionSize = name == "lstm_projected" ? 2 : 0, LayerNorm = name.EndsWith("_layernorm", StringComparison.Ordinal),
        };
        var layer = RecurrentFactory.Create(name.Split('_')[0], H, options);
        layer.Build(new[] { T, I }, new SeededRandom(21));
        return layer;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Two_passes_without_zeroing_give_twice_the_gradients_of_one(string name)
    {
        var layer = Build(name);
        var r = new SeededRandom(22);
        var x = GradientCheck.RandomTensor(r, 1f, B, T, I);
        var dy = GradientCheck.RandomTensor(r, 1f, B, T, layer.OutputWidth);
        layer.ForwardWithState(x, training: true);
        layer.BackwardWithState(dy);
        var once = layer.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        layer.ForwardWithState(x, training: true);
        layer.BackwardWithState(dy);
        for (int k = 0; k < once.Length; k++)
        {
            var twice = layer.Parameters[k].Grad.ToArray();
            Assert.True(once[k].Any(v => v != 0f), $"{layer.Parameters[k].Name} has no gradient");
            for (int j = 0; j < twice.Length; j++)
                Assert.True(Math.Abs(twice[j] - 2f * once[k][j]) <= 1e-5f * (1f + Math.Abs(once[k][j])),
                    $"{layer.Parameters[k].Name}[{j}]: {twice[j]} after two passes, {once[k][j]} after one");
        }
    }
}
