using Recur.Kernels;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Kernels;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// A one-row batch splits the units of each step between threads on whole unit panels (16 units):
/// with 512 units and two threads the second part starts at unit 256. A part starting inside a
/// panel would read its weights from the start of that panel. (WorkSplitTests' 102 units are too
/// few for a misplaced start to show.)
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class WideRowUnitSplitTests
{
    private const int Steps = 3, Features = 4, Units = 512;

    private static float[] Run(string cell, int threads)
    {
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        // PyTorch's uniform initialisation: no orthogonalisation of a 2048 × 512 matrix.
        var layer = RecurrentFactory.Create(cell, Units, new RecurrentOptions { ReturnSequences = true, Initialization = RecurrentInit.PyTorch });
        layer.Build([Steps, Features], new SeededRandom(4));
        var x = GradientCheck.RandomTensor(new SeededRandom(3), 1f, 1, Steps, Features);
        var result = layer.Infer(x);
        return result.Output.ToArray().Concat(result.HiddenState.ToArray()).ToArray();
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Five_hundred_and_twelve_units_give_the_same_bits_on_one_and_two_threads(string cell)
    {
        float[] one = Run(cell, threads: 1);
        float[] two = Run(cell, threads: 2);
        Assert.Contains(one, v => v != 0f);
        Assert.Equal(one, two);
    }
}
