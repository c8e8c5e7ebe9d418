using Recur.Kernels;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Kernels;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// The time loop runs blocks of batch rows on separate threads; outputs, final states, every
/// gradient and the recorded step-gradient norms must not depend on how many threads there are.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class ThreadCountTests
{
    public static IEnumerable<object[]> Cases() =>
        from cell in RecurrentFactory.Cells
        from masked in new[] { false, true }
        select new object[] { cell, masked };

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_and_two_threads_give_identical_bits(string cell, bool masked)
    {
        // 21 rows: blocks of 8 and 13 rows on two threads, so a block ends inside a GEMM row panel.
        const int B = 21, T = 9, I = 5, H = 19;
        var (one, normsOne) = Run(cell, masked, B, T, I, H, threads: 1);
        var (two, normsTwo) = Run(cell, masked, B, T, I, H, threads: 2);
        Assert.Equal(one.Count, two.Count);
        for (int k = 0; k < one.Count; k++)
            Assert.True(one[k].AsSpan().SequenceEqual(two[k]), $"array {k} differs between 1 and 2 threads");
        Assert.Equal(normsOne, normsTwo);
        Assert.Contains(normsOne, n => n > 0f); // the comparison saw real gradients
    }

    private static (List<float[]> Arrays, float[] Norms) Run(string cell, bool masked, int B, int T, int I, int H, int threads)
    {
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        var random = new SeededRandom(3);
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true, Bidirectional = true, NumLayers = 2 });
        layer.Build(new[] { T, I }, new SeededRandom(4));
        var x = GradientCheck.RandomTensor(random, 1f, B, T, I);
        var dy = GradientCheck.RandomTensor(random, 1f, B, T, 2 * H);
        var dhN = GradientCheck.RandomTensor(random, 1f, 4, B, H);
        SequenceMask? mask = null;
        if (masked)
        {
            var valid = new bool[B * T];
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++) valid[b * T + t] = t < T - b % 4; // lengths T, T−1, T−2, T−3
            mask = new SequenceMask(valid, B, T);
        }
        layer.RecordStepGradientNorms = true;
        var result = layer.ForwardWithState(x, mask: mask);
        var grads = layer.BackwardWithState(dy, dhN);
        var arrays = new List<float[]> { result.Output.ToArray(), result.HiddenState.ToArray(), grads.Input!.ToArray(), grads.InitialHidden.ToArray() };
        if (result.CellState is not null) arrays.Add(result.CellState.ToArray());
        arrays.AddRange(layer.Parameters.Select(p => p.Grad.ToArray()));
        return (arrays, layer.StepGradientNorms!.ToArray());
    }
}
