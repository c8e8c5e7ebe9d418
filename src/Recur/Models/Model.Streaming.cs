using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>Every recurrent layer, including those inside wrappers.</summary>
    internal IEnumerable<RecurrentLayer> RecurrentLayers => Layers.Select(l => l switch
    {
        RecurrentLayer r => r,
        Bidirectional b => b.Inner,
        TimeDistributed { Inner: RecurrentLayer r } => r,
        _ => null,
    }).OfType<RecurrentLayer>();

    /// <summary>
    /// Makes every recurrent layer carry its final states into the next call (and resets them).
    /// Feeding a sequence chunk by chunk through <see cref="PredictOnBatch"/> then gives exactly the
    /// outputs of the whole sequence at once; <see cref="TrainOnBatch"/> on consecutive chunks is
    /// truncated BPTT (state carried, gradient cut at chunk edges).
    /// </summary>
    public bool Stateful
    {
        get => RecurrentLayers.Any(r => r.Stateful);
        set
        {
            foreach (var r in RecurrentLayers) r.Stateful = value;
        }
    }

    /// <summary>Forgets all carried recurrent states (start of a new stream).</summary>
    public void ResetStates()
    {
        foreach (var r in RecurrentLayers) r.ResetStates();
    }

    /// <summary>The outputs for one batch (or one chunk of a stream), without gradient work.</summary>
    public Tensor PredictOnBatch(Tensor x, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        BuildFor(x.ShapeArray[1..]);
        return ForwardPass(x, mask, training: false, out _);
    }

    /// <summary>One optimizer update on one batch; returns the batch loss before the update.</summary>
    public double TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, SequenceMask? mask = null)
    {
        RequireCompiled(nameof(TrainOnBatch));
        var data = TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y));
        PrepareFor(data, nameof(x), nameof(y));
        return TrainStep(data, new RunningMetrics(Metrics), terminateOnNaN: false);
    }
}
