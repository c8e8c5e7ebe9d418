using Recur.Cli.Forecasting;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;

namespace Recur.Tests.Forecasting;

/// <summary>The seed ensemble: early stopping with the rate halved on plateaus, and the refit that replays each member's epochs.</summary>
public class SeedEnsembleTests
{
    private static Model Create(ulong seed)
    {
        var model = new Sequential(seed, new Lstm(4), new Dense(1)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.05f), Loss.MeanSquaredError());
        return model;
    }

    /// <summary>(N, 6, 1) windows of a noisy sine and the next value: a small problem whose validation loss plateaus.</summary>
    private static (Tensor X, Tensor Y) Windows(int n, int offset)
    {
        var random = new Random(offset + 1);
        var v = Enumerable.Range(0, n + 7).Select(t => (float)(Math.Sin((t + offset) / 2.0) + 0.3 * (random.NextDouble() - 0.5))).ToArray();
        var x = new float[n * 6];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 6; k++) x[i * 6 + k] = v[i + k];
            y[i] = v[i + 6];
        }
        return (Tensor.FromArray(x, n, 6, 1), Tensor.FromArray(y, n, 1));
    }

    [Fact]
    public void Refit_on_the_same_windows_reproduces_every_members_best_epoch_exactly()
    {
        var (x, y) = Windows(48, 0);
        var validation = Windows(16, 100);
        var ensemble = SeedEnsemble.Train(3, 7, Create, x, y, validation, epochs: 60, batch: 8, patience: 9, (_, _, _) => { }, CancellationToken.None);
        // The plateau rule halved the rate before some member's best epoch, so the replay has more than one rate to repeat.
        Assert.Contains(ensemble.Results, r => r.Rates.Distinct().Count() > 1);
        Assert.All(ensemble.Results, r => Assert.Equal(r.BestEpoch, r.Rates.Count));
        Assert.All(ensemble.Results, r => Assert.All(r.Rates.Skip(1).Zip(r.Rates), p => Assert.True(p.First == p.Second || p.First == p.Second * SeedEnsemble.PlateauFactor, $"rate {p.Second} then {p.First}")));
        var refit = ensemble.Refit(Create, x, y, batch: 8, CancellationToken.None);
        var (trained, again) = (ensemble.PredictMembers(validation.X), refit.PredictMembers(validation.X));
        for (int i = 0; i < 3; i++) Assert.Equal(trained[i], again[i]);
    }
}
