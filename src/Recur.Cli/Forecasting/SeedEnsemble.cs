using System.Diagnostics;
using Recur.Forecasting;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Forecasting;

/// <summary>How one ensemble member trained.</summary>
/// <remarks><see cref="Rates"/> holds the learning rate of every epoch up to the best one, so a refit can replay them.</remarks>
internal sealed record MemberResult(ulong Seed, int BestEpoch, int Epochs, double BestValidationLoss, IReadOnlyList<double> Rates);

/// <summary>
/// k networks that differ only in their seed (initial weights and shuffling), each trained by
/// <see cref="Model.Fit"/> on the fit windows with early stopping on the validation windows
/// (the weights of the best epoch restored) and the learning rate halved on plateaus. The point forecast is the element-wise median of
/// the members' outputs, which is robust to a member that trained badly.
/// </summary>
internal sealed class SeedEnsemble
{
    private SeedEnsemble(List<Model> members, List<MemberResult> results, double seconds)
    {
        Members = members;
        Results = results;
        Seconds = seconds;
    }

    public IReadOnlyList<Model> Members { get; }
    public IReadOnlyList<MemberResult> Results { get; }
    public double Seconds { get; }

    /// <summary>The learning rate is halved when the validation loss has not improved for a third of the early-stopping patience …</summary>
    public const float PlateauFactor = 0.5f;

    /// <summary>… down to this share of the initial rate, so the noisy epoch-to-epoch validation loss of small batches settles before the member stops.</summary>
    public const float MinLearningRateShare = 1f / 16;

    /// <summary>Epochs without improvement before the rate is halved: a third of the early-stopping patience, at least 3.</summary>
    public static int PlateauPatience(int patience) => Math.Max(3, patience / 3);

    /// <param name="create">A compiled model for a seed.</param>
    /// <param name="epochLogged">Called after every epoch of every member (member index, epoch, logs).</param>
    /// <param name="memberCallbacks">More callbacks for member i's Fit (its backup: a member whose backup
    /// says it finished is restored to its end at once, one killed half-way continues where it was).</param>
    public static SeedEnsemble Train(int k, ulong seed, Func<ulong, Model> create, Tensor xFit, Tensor yFit, (Tensor X, Tensor Y) validation,
        int epochs, int batch, int patience, Action<int, int, IReadOnlyDictionary<string, double>> epochLogged, CancellationToken cancellation,
        Func<int, IEnumerable<Callback>>? memberCallbacks = null)
    {
        var clock = Stopwatch.StartNew();
        var members = new List<Model>();
        var results = new List<MemberResult>();
        for (int i = 0; i < k && (i == 0 || !cancellation.IsCancellationRequested); i++)
        {
            ulong memberSeed = seed + (ulong)i;
            var model = create(memberSeed);
            var stop = new EarlyStopping("val_loss", patience, restoreBestWeights: true);
            var settle = new ReduceLROnPlateau("val_loss", PlateauFactor, PlateauPatience(patience), minLearningRate: model.Optimizer!.LearningRate * MinLearningRateShare);
            int member = i;
            var log = new LambdaCallback { EpochEnd = (epoch, logs) => epochLogged(member, epoch, logs) };
            var history = model.Fit(xFit, yFit, epochs, batch, validationData: validation, callbacks: [settle, stop, log, .. memberCallbacks?.Invoke(i) ?? []],
                verbose: Verbosity.Silent, cancellationToken: cancellation);
            var valLoss = history["val_loss"];
            int best = Math.Max(0, stop.BestEpoch);
            members.Add(model);
            results.Add(new MemberResult(memberSeed, best + 1, valLoss.Count, valLoss[best], history["lr"].Take(best + 1).ToArray()));
        }
        return new SeedEnsemble(members, results, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The members trained again from their seeds on more windows (the fit and the validation
    /// windows, once every choice is made on the validation slice): member i runs its own best
    /// epoch count with the learning rate of each of those epochs replayed, and no validation.
    /// </summary>
    /// <param name="memberCallbacks">More callbacks for member i's refit (its backup: a refit whose backup
    /// says it finished is restored to its end at once, one killed half-way continues where it was).</param>
    public SeedEnsemble Refit(Func<ulong, Model> create, Tensor x, Tensor y, int batch, CancellationToken cancellation,
        Func<int, IEnumerable<Callback>>? memberCallbacks = null)
    {
        var clock = Stopwatch.StartNew();
        var members = new List<Model>();
        foreach (var r in Results)
        {
            if (members.Count > 0 && cancellation.IsCancellationRequested) break;
            var model = create(r.Seed);
            var replay = new LearningRateScheduler((epoch, lr0) => (float)r.Rates[Math.Min(epoch, r.Rates.Count - 1)]);
            model.Fit(x, y, r.BestEpoch, batch, callbacks: [replay, .. memberCallbacks?.Invoke(members.Count) ?? []], verbose: Verbosity.Silent, cancellationToken: cancellation);
            members.Add(model);
        }
        return new SeedEnsemble(members, Results.Take(members.Count).ToList(), Seconds + clock.Elapsed.TotalSeconds);
    }

    /// <summary>An ensemble of trained members (loaded from a run directory): no training results.</summary>
    public static SeedEnsemble Of(IReadOnlyList<Model> members) => new(members.ToList(), [], 0);

    /// <summary>Every member's outputs for (N, W, F) inputs: k arrays of N·h values (row-major (N, h)).</summary>
    public List<double[]> PredictMembers(Tensor x)
        => Members.Select(m => m.Predict(x, batchSize: 256).ToArray().Select(v => (double)v).ToArray()).ToList();

    /// <summary>The median over members of each output.</summary>
    public static double[] Median(IReadOnlyList<double[]> members) => EnsembleQuantiles.Quantiles(members, [0.5])[0];
}
