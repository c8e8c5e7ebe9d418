using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tests.Kernels;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>Training with other thread counts; it sets the process-wide count, so it runs alone.</summary>
[Collection(KernelSettingsCollection.Name)]
public class ThreadCountTrainingTests
{
    [Fact]
    public void Training_is_bit_identical_whatever_the_thread_count()
    {
        // Big enough that the kernels split work across threads (GEMMs of 64 rows × 512 columns).
        var (x, y) = ToyData.SignOfSum(256, 12, seed: 14);
        float[] Train(int threads)
        {
            int saved = RecurSettings.Threads;
            RecurSettings.Threads = threads;
            try
            {
                var m = new Sequential(5, new Lstm(128, returnSequences: true), new Gru(64), new Dense(1)) { Output = TextWriter.Null };
                m.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true));
                m.Fit(x, y, epochs: 1, batchSize: 64, verbose: Verbosity.Silent);
                return m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
            }
            finally
            {
                RecurSettings.Threads = saved;
            }
        }
        Assert.Equal(Train(1), Train(2));
    }
}
