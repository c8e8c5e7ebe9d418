using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>Every recurrent layer, including those inside wrappers.</summary>
    internal IEnumerable<RecurrentLayer> RecurrentLayers => Layers.SelectMany(Layer.SelfAndInner).OfType<RecurrentLayer>();

    /// <summary>
    /// The states the stateful recurrent layers carry into their next call, by layer name (a
    /// layer with nothing carried yet is absent). Values: changing them changes nothing here.
    /// </summary>
    public IReadOnlyDictionary<string, RecurrentState> GetState()
    {
        var states = new Dictionary<string, RecurrentState>();
        foreach (var r in RecurrentLayers)
            if (r.GetState() is { } s) states[r.Name] = s;
        return states;
    }

    /// <summary>
    /// Sets the states the stateful recurrent layers start their next call from, by layer name
    /// (a stateful layer not named starts from zeros). Everything is checked before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">A name that is no stateful recurrent layer of the model, or a state of the wrong shape (the message names the layer and both shapes).</exception>
    public void SetState(IReadOnlyDictionary<string, RecurrentState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var layers = RecurrentLayers.Where(r => r.Stateful).ToDictionary(r => r.Name);
        foreach (var (name, state) in states)
        {
            if (!layers.TryGetValue(name, out var layer))
                throw new ArgumentException(
                    $"Model '{Name}' has no stateful recurrent layer '{name}'; stateful layers: {(layers.Count == 0 ? "none (set Stateful = true)" : string.Join(", ", layers.Keys))}.",
                    nameof(states));
            ArgumentNullException.ThrowIfNull(state, nameof(states));
            state.RequireShape(layer, state.Batch, nameof(states));
        }
        foreach (var layer in layers.Values) layer.SetState(states.TryGetValue(layer.Name, out var s) ? s : null);
    }

    /// <summary>
    /// Makes every recurrent layer carry its final states into the next call (and resets them).
    /// Feeding a sequence chunk by chunk through <see cref="PredictOnBatch"/> then gives exactly the
    /// outputs of the whole sequence at once; <see cref="TrainOnBatch(Tensor, Tensor, Tensor?, SequenceMask?)"/> on consecutive chunks is
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
        return InferencePass([x], mask, out _)[0];
    }

    /// <summary>One optimizer update on one batch; returns the batch loss before the update.</summary>
    public double TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return TrainOnBatch([x], [y], sampleWeight, mask);
    }

    /// <summary>One optimizer update on one batch of a model of several inputs or outputs; returns the batch loss (the weighted total) before the update.</summary>
    public double TrainOnBatch(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, Tensor? sampleWeight = null, SequenceMask? mask = null)
    {
        RequireCompiled(nameof(TrainOnBatch));
        RequireTrainable(nameof(TrainOnBatch));
        var data = TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y));
        PrepareFor(data, nameof(x), nameof(y));
        return TrainStep(data, new RunningMetrics(MetricSlots), terminateOnNaN: false);
    }
}
