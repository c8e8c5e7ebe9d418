using Recur.Layers;
using Recur.Training;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// Trains the model with mini-batch gradient descent.
    /// </summary>
    /// <param name="x">(N, …) inputs: (N, T, F) features or (N, T) token ids for an embedding.</param>
    /// <param name="y">(N, …) targets as the loss expects them (class ids for sparse cross-entropy).</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Samples per update; at most the number of training samples.</param>
    /// <param name="validationSplit">Fraction of the data, taken from the end before shuffling, held out for validation.</param>
    /// <param name="validationData">Held-out (x, y) instead of a split.</param>
    /// <param name="shuffle">Shuffle the training samples every epoch (seeded by the model's seed).</param>
    /// <param name="classWeight">Weight of each class id in the loss (for single-label targets).</param>
    /// <param name="sampleWeight">(N) or (N, T) per-sample or per-step weights.</param>
    /// <param name="callbacks">Hooks called during training.</param>
    /// <param name="verbose">Progress output.</param>
    /// <param name="mask">(N, T) real steps of padded inputs, when no layer derives a mask.</param>
    /// <param name="cancellationToken">Stops training after the current batch (the epoch is still logged).</param>
    /// <returns>Every logged quantity per epoch.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Data that cannot be trained on; raised before any training work.</exception>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int batchSize = 32, double validationSplit = 0,
        (Tensor X, Tensor Y)? validationData = null, bool shuffle = true,
        IReadOnlyDictionary<int, float>? classWeight = null, Tensor? sampleWeight = null,
        IReadOnlyList<Callback>? callbacks = null, Verbosity verbose = Verbosity.Auto,
        SequenceMask? mask = null, CancellationToken cancellationToken = default)
    {
        RequireCompiled(nameof(Fit));
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");
        if (validationSplit > 0 && validationData is not null)
            throw new ArgumentException("Pass either validationSplit or validationData, not both.", nameof(validationData));
        var data = TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y));
        PrepareFor(data, "x", "y");
        data.ApplyClassWeights(classWeight);
        int n = data.Count;
        int nVal = (int)Math.Floor(n * validationSplit);
        int nTrain = n - nVal;
        if (nTrain == 0)
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, $"validationSplit {validationSplit} leaves no training samples out of {n}.");
        if (batchSize > nTrain)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize is {batchSize} but there are only {nTrain} training samples.");
        TrainingData? validation = null;
        if (validationData is { } vd)
        {
            validation = TrainingData.Create(vd.X, vd.Y, null, null, "validationData.X", "validationData.Y");
            PrepareFor(validation, "validationData.X", "validationData.Y");
        }
        else if (nVal > 0)
        {
            validation = data.Slice(Batches.Range(nTrain, nVal));
        }
        var train = nVal > 0 ? data.Slice(Batches.Range(0, nTrain)) : data;

        var callbackList = callbacks ?? Array.Empty<Callback>();
        bool terminateOnNaN = callbackList.OfType<TerminateOnNaN>().Any();
        foreach (var cb in callbackList) cb.Model = this;
        var progress = new ProgressReporter(Output, verbose, ReferenceEquals(Output, Console.Out) && !Console.IsOutputRedirected);
        var history = new History();
        StopTraining = false;
        foreach (var cb in callbackList) cb.OnTrainBegin();

        int steps = (nTrain + batchSize - 1) / batchSize;
        var order = Batches.Range(0, nTrain);
        for (int epoch = 0; epoch < epochs && !StopTraining; epoch++)
        {
            foreach (var cb in callbackList) cb.OnEpochBegin(epoch);
            progress.EpochBegin(epoch, epochs, steps);
            if (shuffle) ShuffleRandom.Shuffle(order.AsSpan());
            var running = new RunningMetrics(Metrics);
            for (int step = 0; step < steps; step++)
            {
                var rows = order.AsSpan(step * batchSize, Math.Min(batchSize, nTrain - step * batchSize));
                var batch = train.Slice(rows);
                double loss = TrainStep(batch, running, terminateOnNaN);
                var logs = running.Logs();
                foreach (var cb in callbackList) cb.OnBatchEnd(step, logs);
                progress.BatchEnd(step, logs);
                if (!double.IsFinite(loss) && terminateOnNaN) StopTraining = true;
                if (StopTraining || cancellationToken.IsCancellationRequested) break;
            }
            var epochLogs = new Dictionary<string, double>(running.Logs());
            if (validation is not null)
                foreach (var (k, v) in EvaluateData(validation, batchSize)) epochLogs["val_" + k] = v;
            epochLogs["lr"] = Optimizer!.LearningRate;
            history.Append(epochLogs);
            progress.EpochEnd(epoch, epochs, epochLogs);
            foreach (var cb in callbackList) cb.OnEpochEnd(epoch, epochLogs);
            if (cancellationToken.IsCancellationRequested) StopTraining = true;
        }
        foreach (var cb in callbackList) cb.OnTrainEnd();
        return history;
    }

    /// <summary>One update on one batch; returns the batch loss.</summary>
    private double TrainStep(TrainingData batch, RunningMetrics running, bool terminateOnNaN)
    {
        ZeroGrad();
        var prediction = ForwardPass(batch.X, batch.Mask, training: true, out var outputMask);
        var result = Loss!.Compute(prediction, batch.Y, LossMask(outputMask, batch.Y), batch.Weights);
        running.Add(result.Value, batch.Count, MetricInput(prediction), batch.Y, LossMask(outputMask, batch.Y));
        if (!double.IsFinite(result.Value) && terminateOnNaN) return result.Value;
        BackwardPass(result.Gradient);
        try
        {
            if (ClipValue is { } cv) GradientClipping.ClipByValue(Parameters, cv);
            if (ClipNorm is { } cn) GradientClipping.ClipByGlobalNorm(Parameters, cn);
            Optimizer!.Step(Parameters);
        }
        catch (NonFiniteGradientException) when (terminateOnNaN)
        {
            return double.NaN;
        }
        return result.Value;
    }

    /// <summary>The loss and every metric on (x, y), in batches, without training.</summary>
    /// <returns>A dictionary with <c>loss</c> and each metric's name.</returns>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32,
        Tensor? sampleWeight = null, SequenceMask? mask = null)
    {
        RequireCompiled(nameof(Evaluate));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        var data = TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y));
        PrepareFor(data, nameof(x), nameof(y));
        return EvaluateData(data, batchSize);
    }

    private IReadOnlyDictionary<string, double> EvaluateData(TrainingData data, int batchSize)
    {
        var running = new RunningMetrics(Metrics);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            var batch = data.Slice(Batches.Range(start, Math.Min(batchSize, data.Count - start)));
            var prediction = ForwardPass(batch.X, batch.Mask, training: false, out var outputMask);
            var mask = LossMask(outputMask, batch.Y);
            var result = Loss!.Compute(prediction, batch.Y, mask, batch.Weights);
            running.Add(result.Value, batch.Count, MetricInput(prediction), batch.Y, mask);
        }
        return running.Logs();
    }

    /// <summary>The model's outputs for (N, …) inputs, computed in batches without gradient work.</summary>
    /// <returns>(N, …) raw outputs (logits when the loss works from logits).</returns>
    public Tensor Predict(Tensor x, int batchSize = 32, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (x.Rank < 1 || x.Size(0) == 0) throw new ArgumentException($"x has shape {Tensor.ShapeString(x.Shape)}; expected at least one sample.", nameof(x));
        mask?.RequireShape(x.Size(0), mask.Steps, nameof(mask));
        BuildFor(x.ShapeArray[1..]);
        var parts = new List<Tensor>();
        for (int start = 0; start < x.Size(0); start += batchSize)
        {
            var rows = Batches.Range(start, Math.Min(batchSize, x.Size(0) - start));
            parts.Add(ForwardPass(Batches.Take(x, rows), Batches.Take(mask, rows), training: false, out _));
        }
        return Batches.Concat(parts);
    }

    /// <summary>Predictions as the metrics read them (probabilities), computed only when a metric is tracked.</summary>
    private Tensor MetricInput(Tensor prediction) => Metrics.Count > 0 ? Loss!.ToProbabilities(prediction) : prediction;

    /// <summary>The output mask applies to the loss only when the target keeps the time axis.</summary>
    private static SequenceMask? LossMask(SequenceMask? outputMask, Tensor target)
        => outputMask is not null && target.Rank >= 2 && target.Size(1) == outputMask.Steps ? outputMask : null;

    /// <summary>
    /// The mask known before running the model: the explicit one, or the one an input-side
    /// <see cref="Embedding"/> (maskZero) or <see cref="Masking"/> layer derives from the raw input.
    /// </summary>
    private SequenceMask? InputMask(TrainingData data)
        => Layers[0] is Embedding or Masking ? Layers[0].ComputeMask(data.X, data.Mask) : data.Mask;

    private void RequireCompiled(string operation)
    {
        if (Optimizer is null || Loss is null)
            throw new InvalidOperationException($"Model '{Name}' is not compiled: call Compile(optimizer, loss, ...) before {operation}.");
    }

    /// <summary>Builds for the data and checks the targets against the output, before any training work.</summary>
    private void PrepareFor(TrainingData data, string xName, string yName)
    {
        var outputShape = BuildFor(data.X.ShapeArray[1..]);
        data.AlignTargets(Loss!, outputShape, yName, InputMask(data));
    }
}
