using System.Numerics;
using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// Keeps an exponential moving average of the trainable weights over the training batches
/// (Polyak averaging, Keras' <c>use_ema</c> with <c>SwapEMAWeights</c>): between epochs the model
/// holds the averages, so that validation, early stopping, checkpoints and the model left at the
/// end of training are those of the averaged weights, while every batch trains the raw weights as
/// if the callback were not there.
/// </summary>
/// <remarks>
/// <para>After update t (counted from 1 in this <c>Fit</c>) every trainable weight's average a
/// becomes a = d·a + (1 − d)·w in float32, with d = min(momentum, (1 + t) / (10 + t)) (the warm-up of
/// TensorFlow's <c>ExponentialMovingAverage</c> with <c>num_updates</c>, so that the weights at the
/// start do not dominate the first epochs); a starts as the weights at the start of training.</para>
/// <para>Order within an epoch: <see cref="OnEpochBegin"/> puts the raw weights back,
/// <see cref="OnBatchEnd"/> updates the averages, <see cref="OnEpochTrained"/> keeps the raw weights
/// aside and puts the averages in. A resumed run (<see cref="BackupAndRestore"/>) gets the
/// averages, the raw weights and the update count back and continues exactly.</para>
/// </remarks>
public sealed class ExponentialMovingAverage : Callback
{
    private float[][]? _average;
    private float[][]? _raw;
    private Parameter[] _trainable = [];
    private long _updates;
    private bool _holdsAverage;

    /// <summary>An average with decay <paramref name="momentum"/> per batch (Keras' default: 0.99).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1).</exception>
    public ExponentialMovingAverage(double momentum = 0.99)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        Momentum = momentum;
    }

    /// <summary>The decay of the average per batch once past the warm-up.</summary>
    public double Momentum { get; }

    /// <summary>Updates folded into the averages in this training.</summary>
    public long Updates => _updates;

    /// <summary>The decay of update <paramref name="update"/> (from 1): min(momentum, (1 + t) / (10 + t)).</summary>
    public float Decay(long update) => (float)Math.Min(Momentum, (1.0 + update) / (10.0 + update));

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _trainable = Model.Parameters.Where(p => p.Trainable).ToArray();
        _average = _trainable.Select(p => p.Value.ToArray()).ToArray();
        _raw = _trainable.Select(p => new float[p.Value.Length]).ToArray();
        _updates = 0;
        _holdsAverage = false;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        if (!_holdsAverage) return;
        for (int i = 0; i < _trainable.Length; i++) _raw![i].CopyTo(_trainable[i].Value.Span);
        _holdsAverage = false;
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        float d = Decay(++_updates);
        for (int i = 0; i < _trainable.Length; i++) Blend(_average![i], _trainable[i].Value.Span, d);
    }

    /// <inheritdoc/>
    public override void OnEpochTrained(int epoch)
    {
        for (int i = 0; i < _trainable.Length; i++)
        {
            var w = _trainable[i].Value.Span;
            w.CopyTo(_raw![i]);
            _average![i].CopyTo(w);
        }
        _holdsAverage = true;
    }

    /// <summary>a = d·a + (1 − d)·w, element by element (the same roundings at every vector width).</summary>
    internal static void Blend(Span<float> average, ReadOnlySpan<float> weights, float d)
    {
        float e = 1f - d;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vd = new Vector<float>(d);
            var ve = new Vector<float>(e);
            for (; i <= average.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var a = new Vector<float>(average[i..]);
                var w = new Vector<float>(weights[i..]);
                (a * vd + w * ve).CopyTo(average[i..]);
            }
        }
        for (; i < average.Length; i++) average[i] = average[i] * d + weights[i] * e;
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        state.Set("updates", _updates);
        state.Set("holds_average", _holdsAverage ? 1 : 0);
        for (int i = 0; i < _trainable.Length; i++)
        {
            state.Set($"average.{i}", new Tensor(_average![i], _trainable[i].Value.ShapeArray));
            state.Set($"raw.{i}", new Tensor(_raw![i], _trainable[i].Value.ShapeArray));
        }
    }

    /// <inheritdoc/>
    public override void LoadState(CallbackState state)
    {
        double updates = state.GetNumber("updates"), holds = state.GetNumber("holds_average");
        if (!(updates >= 0 && updates == Math.Floor(updates)))
            throw new ArgumentException($"the saved update count is {updates}; expected a whole number ≥ 0.", nameof(state));
        var average = _trainable.Select((p, i) => Restored(state, $"average.{i}", p)).ToArray();
        var raw = _trainable.Select((p, i) => Restored(state, $"raw.{i}", p)).ToArray();
        (_average, _raw, _updates, _holdsAverage) = (average, raw, (long)updates, holds != 0);
    }

    private static float[] Restored(CallbackState state, string key, Parameter p)
    {
        var t = state.GetTensor(key);
        Tensor.RequireShape(t, p.Value.Shape, key);
        return t.ToArray();
    }
}
