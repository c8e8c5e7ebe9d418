using Recur.Data;
using Recur.Layers;
using Recur.Losses;
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
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return FitTensors(() => TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y)), epochs, batchSize, validationSplit,
            validationData is { } vd ? () => TrainingData.Create(vd.X, vd.Y, null, null, "validationData.X", "validationData.Y") : null,
            shuffle, classWeight, callbacks, verbose, cancellationToken);
    }

    /// <summary>
    /// Trains a model of several inputs or outputs with mini-batch gradient descent: one (N, …)
    /// tensor per input in <paramref name="x"/> and one per output in <paramref name="y"/>, in
    /// the model's input and output order. The other arguments are those of
    /// <see cref="Fit(Tensor, Tensor, int, int, double, ValueTuple{Tensor, Tensor}?, bool, IReadOnlyDictionary{int, float}?, Tensor?, IReadOnlyList{Callback}?, Verbosity, SequenceMask?, CancellationToken)"/>
    /// (<paramref name="mask"/> belongs to the first input; class and sample weights to every output's loss).
    /// </summary>
    /// <returns>Every logged quantity per epoch: <c>loss</c> (the weighted total), with several outputs also <c>{output}_loss</c> each.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Data that cannot be trained on; raised before any training work.</exception>
    public History Fit(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int epochs = 1, int batchSize = 32, double validationSplit = 0,
        (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null, bool shuffle = true,
        IReadOnlyDictionary<int, float>? classWeight = null, Tensor? sampleWeight = null,
        IReadOnlyList<Callback>? callbacks = null, Verbosity verbose = Verbosity.Auto,
        SequenceMask? mask = null, CancellationToken cancellationToken = default)
        => FitTensors(() => TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y)), epochs, batchSize, validationSplit,
            validationData is { } vd ? () => TrainingData.Create(vd.X, vd.Y, null, null, "validationData.X", "validationData.Y") : null,
            shuffle, classWeight, callbacks, verbose, cancellationToken);

    private History FitTensors(Func<TrainingData> createData, int epochs, int batchSize, double validationSplit,
        Func<TrainingData>? createValidation, bool shuffle, IReadOnlyDictionary<int, float>? classWeight,
        IReadOnlyList<Callback>? callbacks, Verbosity verbose, CancellationToken cancellationToken)
    {
        RequireCompiled(nameof(Fit));
        RequireTrainable(nameof(Fit));
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");
        if (validationSplit > 0 && createValidation is not null)
            throw new ArgumentException("Pass either validationSplit or validationData, not both.", "validationData");
        var data = createData();
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
        if (createValidation is not null)
        {
            validation = createValidation();
            PrepareFor(validation, "validationData.X", "validationData.Y");
        }
        else if (nVal > 0)
        {
            validation = data.Slice(Batches.Range(nTrain, nVal));
        }
        var train = nVal > 0 ? data.Slice(Batches.Range(0, nTrain)) : data;

        int steps = (nTrain + batchSize - 1) / batchSize;
        // Each epoch shuffles a fresh 0…n−1 with the model's stream, so the order of an epoch
        // depends only on that stream's state (which a backup keeps) and not on earlier orders.
        IEnumerable<LoopBatch> Epoch(int epoch)
        {
            var order = Batches.Range(0, nTrain);
            if (shuffle) ShuffleRandom.Shuffle(order.AsSpan());
            for (int step = 0; step < steps; step++)
                yield return new LoopBatch(train.Slice(order.AsSpan(step * batchSize, Math.Min(batchSize, nTrain - step * batchSize))), false);
        }
        var feed = new EpochFeed(Epoch, steps, stepsPerEpoch: null);
        return RunFit(feed, epochs, validation is null ? null : () => Slices(validation, batchSize), callbacks, verbose, cancellationToken);
    }

    /// <summary>
    /// Trains the model on batches from a source: ragged sequences (<see cref="SequenceBatches"/>),
    /// truncated-BPTT streams (<see cref="TokenStream"/>), data read lazily or generated
    /// (<see cref="BatchSource"/>).
    /// </summary>
    /// <param name="data">The training batches of each epoch.</param>
    /// <param name="epochs">Epochs to run (with <paramref name="stepsPerEpoch"/>: rounds of that many batches).</param>
    /// <param name="validationData">Evaluated after every epoch; its quantities are logged with a <c>val_</c> prefix.</param>
    /// <param name="stepsPerEpoch">Null: an epoch is one pass over <paramref name="data"/>. Otherwise an
    /// epoch is the next this-many batches of the source's passes read one after another (as Keras'
    /// <c>steps_per_epoch</c>): pass 0, then pass 1, and so on.</param>
    /// <param name="callbacks">Hooks called during training.</param>
    /// <param name="verbose">Progress output.</param>
    /// <param name="cancellationToken">Stops training after the current batch (the epoch is still logged).</param>
    /// <returns>Every logged quantity per epoch.</returns>
    /// <remarks>
    /// A batch with <see cref="Batch.ResetStates"/> resets a stateful model's carried states before
    /// it is trained on. The carried states are also reset before and after each validation pass, so
    /// validation starts from zeros and training continues from zeros after it.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The model is not compiled, or the source gives no batches.</exception>
    /// <exception cref="ArgumentException">A batch that cannot be trained on; raised before that batch changes any weight.</exception>
    public History Fit(IBatchSource data, int epochs = 1, IBatchSource? validationData = null, int? stepsPerEpoch = null,
        IReadOnlyList<Callback>? callbacks = null, Verbosity verbose = Verbosity.Auto, CancellationToken cancellationToken = default)
    {
        RequireCompiled(nameof(Fit));
        RequireTrainable(nameof(Fit));
        ArgumentNullException.ThrowIfNull(data);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
        if (stepsPerEpoch is < 1) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, "stepsPerEpoch must be at least 1 (or null for one pass).");
        if (!IsBuilt)
        {
            // Build from the first batch, so that callbacks (and a restore) see the weights.
            var first = data.GetBatches(0).FirstOrDefault() ?? throw new InvalidOperationException("The training source gives no batches for epoch 0.");
            ToLoopBatch(first);
        }
        var feed = new EpochFeed(epoch => data.GetBatches(epoch).Select(ToLoopBatch), data.Count, stepsPerEpoch);
        return RunFit(feed, epochs, validationData is null ? null : () => validationData.GetBatches(0).Select(ToLoopBatch),
            callbacks, verbose, cancellationToken);
    }

    /// <summary>The one training loop: epochs of batches, validation, logs and callbacks.</summary>
    private History RunFit(EpochFeed feed, int epochs, Func<IEnumerable<LoopBatch>>? validation,
        IReadOnlyList<Callback>? callbacks, Verbosity verbose, CancellationToken cancellationToken)
    {
        // A backup must see every other callback's state after the epoch: backups run last.
        var callbackList = (callbacks ?? Array.Empty<Callback>()).OrderBy(cb => cb is BackupAndRestore ? 1 : 0).ToList();
        bool terminateOnNaN = callbackList.OfType<TerminateOnNaN>().Any();
        foreach (var cb in callbackList) cb.Model = this;
        var progress = new ProgressReporter(Output, verbose, ReferenceEquals(Output, Console.Out) && !Console.IsOutputRedirected);
        var run = new TrainingRun(callbackList, feed.Continuing);
        CurrentRun = run;
        StopTraining = false;
        try
        {
            foreach (var cb in callbackList) cb.OnTrainBegin();
            for (int epoch = run.Epoch; epoch < epochs && !StopTraining; epoch = ++run.Epoch)
            {
                foreach (var cb in callbackList) cb.OnEpochBegin(epoch);
                progress.EpochBegin(epoch, epochs, feed.Steps ?? 0);
                var running = new RunningMetrics(MetricSlots);
                int step = 0;
                foreach (var batch in feed.Epoch(epoch, run))
                {
                    foreach (var cb in callbackList) cb.OnBatchBegin(step);
                    if (batch.ResetStates) ResetStates();
                    double loss = TrainStep(batch.Data, running, terminateOnNaN);
                    run.Steps++;
                    var logs = running.Logs();
                    foreach (var cb in callbackList) cb.OnBatchEnd(step, logs);
                    progress.BatchEnd(step, logs);
                    step++;
                    if (!double.IsFinite(loss) && terminateOnNaN) StopTraining = true;
                    if (StopTraining || cancellationToken.IsCancellationRequested) break;
                }
                if (step == 0) throw new InvalidOperationException($"The training source gives no batches for epoch {epoch}.");
                foreach (var cb in callbackList) cb.OnEpochTrained(epoch);
                var epochLogs = new Dictionary<string, double>(running.Logs());
                if (validation is not null)
                    foreach (var (k, v) in EvaluateValidation(validation())) epochLogs["val_" + k] = v;
                epochLogs["lr"] = Optimizer!.LearningRate;
                foreach (var cb in callbackList) cb.OnEpochEvaluated(epoch, epochLogs);
                run.Append(epochLogs);
                progress.EpochEnd(epoch, epochs, epochLogs);
                if (cancellationToken.IsCancellationRequested) StopTraining = true;
                foreach (var cb in callbackList) cb.OnEpochEnd(epoch, epochLogs);
            }
            foreach (var cb in callbackList) cb.OnTrainEnd();
        }
        finally
        {
            CurrentRun = null;
        }
        return run.History;
    }

    /// <summary>Validation of one epoch; a stateful model validates from zero states and trains on from zeros.</summary>
    private IReadOnlyDictionary<string, double> EvaluateValidation(IEnumerable<LoopBatch> batches)
    {
        bool stateful = Stateful;
        if (stateful) ResetStates();
        var logs = EvaluateData(batches);
        if (stateful) ResetStates();
        return logs;
    }

    /// <summary>The Fit in progress (what a backup records), or null.</summary>
    internal TrainingRun? CurrentRun { get; private set; }

    /// <summary>A source's batch, validated and with its targets aligned to the model's output.</summary>
    private LoopBatch ToLoopBatch(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch, nameof(batch));
        var data = TrainingData.Create(batch.Inputs, batch.Targets, batch.Mask, batch.SampleWeight, "batch.X", "batch.Y");
        PrepareFor(data, "batch.X", "batch.Y");
        return new LoopBatch(data, batch.ResetStates);
    }

    /// <summary>Consecutive slices of <paramref name="batchSize"/> rows.</summary>
    private static IEnumerable<LoopBatch> Slices(TrainingData data, int batchSize)
    {
        for (int start = 0; start < data.Count; start += batchSize)
            yield return new LoopBatch(data.Slice(Batches.Range(start, Math.Min(batchSize, data.Count - start))), false);
    }

    /// <summary>One update on one batch; returns the batch loss.</summary>
    private double TrainStep(TrainingData batch, RunningMetrics running, bool terminateOnNaN)
    {
        ZeroGrad();
        var predictions = ForwardPass(batch.Inputs, batch.Mask, training: true, out var outputMasks);
        var (loss, gradients) = Objective(predictions, outputMasks, batch, running);
        if (!double.IsFinite(loss) && terminateOnNaN) return loss;
        BackwardPass(gradients);
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
        return loss;
    }

    /// <summary>
    /// The loss minimised, Σₖ wₖ·lossₖ over the outputs, and its gradient for each output; the
    /// running logs get the total, each output's loss (several outputs) and the metrics of the outputs they read.
    /// </summary>
    private (double Loss, Tensor?[] Gradients) Objective(Tensor[] predictions, SequenceMask?[] outputMasks, TrainingData batch, RunningMetrics running)
    {
        int outputs = predictions.Length;
        var gradients = new Tensor?[outputs];
        double total = 0;
        var named = outputs == 1 ? null : new Dictionary<string, double>();
        for (int k = 0; k < outputs; k++)
        {
            var target = batch.Targets[k];
            var result = Losses[k].Compute(predictions[k], target, LossMask(Losses[k], outputMasks[k], target), batch.Weights);
            float w = LossWeights[k];
            total = outputs == 1 && w == 1f ? result.Value : total + w * result.Value;
            gradients[k] = w == 1f ? result.Gradient : Scaled(result.Gradient, w);
            named?.Add($"{Graph!.Outputs[k].Name}_loss", result.Value);
        }
        running.Add(total, batch.Count, named,
            k => (Losses[k].ToProbabilities(predictions[k]), batch.Targets[k], LossMask(Losses[k], outputMasks[k], batch.Targets[k])));
        return (total, gradients);
    }

    private static Tensor Scaled(Tensor t, float w)
    {
        var s = t.Clone();
        var span = s.Span;
        for (int i = 0; i < span.Length; i++) span[i] *= w;
        return s;
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

    /// <summary>
    /// The loss and every metric of a model of several inputs or outputs (one (N, …) tensor per
    /// input and per output, in order), in batches, without training.
    /// </summary>
    /// <returns>A dictionary with <c>loss</c> (the weighted total), with several outputs <c>{output}_loss</c> each, and each metric's log name.</returns>
    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32,
        Tensor? sampleWeight = null, SequenceMask? mask = null)
    {
        RequireCompiled(nameof(Evaluate));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        var data = TrainingData.Create(x, y, mask, sampleWeight, nameof(x), nameof(y));
        PrepareFor(data, nameof(x), nameof(y));
        return EvaluateData(data, batchSize);
    }

    /// <summary>The loss and every metric over a source's batches (epoch 0), without training.</summary>
    /// <remarks>Batches flagged <see cref="Batch.ResetStates"/> reset a stateful model's carried states first.</remarks>
    /// <returns>A dictionary with <c>loss</c> and each metric's name (loss and metrics weighted by batch size).</returns>
    public IReadOnlyDictionary<string, double> Evaluate(IBatchSource data)
    {
        RequireCompiled(nameof(Evaluate));
        ArgumentNullException.ThrowIfNull(data);
        return EvaluateData(data.GetBatches(0).Select(ToLoopBatch));
    }

    private IReadOnlyDictionary<string, double> EvaluateData(TrainingData data, int batchSize) => EvaluateData(Slices(data, batchSize));

    private IReadOnlyDictionary<string, double> EvaluateData(IEnumerable<LoopBatch> batches)
    {
        var running = new RunningMetrics(MetricSlots);
        foreach (var (batch, reset) in batches)
        {
            if (reset) ResetStates();
            var predictions = InferencePass(batch.Inputs, batch.Mask, out var outputMasks);
            Objective(predictions, outputMasks, batch, running);
        }
        return running.Logs();
    }

    /// <summary>The model's outputs for (N, …) inputs, computed in batches without gradient work.</summary>
    /// <remarks>
    /// Thread safety: <c>Predict</c> and <see cref="PredictOnBatch"/> keep no backward cache, and
    /// several threads may call them on one model at once: each gets exactly the answer it would
    /// get alone (bit for bit). Not while the same model trains (training is single-caller), and
    /// not with <see cref="Stateful"/> on (a carried state belongs to one stream).
    /// </remarks>
    /// <returns>(N, …) raw outputs (logits when the loss works from logits).</returns>
    /// <exception cref="InvalidOperationException">The model has several outputs: use <see cref="Predict(IReadOnlyList{Tensor}, int, SequenceMask?)"/>.</exception>
    public Tensor Predict(Tensor x, int batchSize = 32, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Graph is { Outputs.Count: > 1 } g)
            throw new InvalidOperationException($"Model '{Name}' has {g.Outputs.Count} outputs; call Predict with a list of inputs to get one tensor per output.");
        return Predict([x], batchSize, mask)[0];
    }

    /// <summary>
    /// The outputs of a model of several inputs or outputs for (N, …) inputs (one tensor per
    /// input, in order), computed in batches without gradient work: one (N, …) tensor per output.
    /// </summary>
    /// <remarks>Thread-safe as <see cref="Predict(Tensor, int, SequenceMask?)"/>.</remarks>
    public IReadOnlyList<Tensor> Predict(IReadOnlyList<Tensor> x, int batchSize = 32, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (x.Count == 0) throw new ArgumentException("x is an empty list; expected one tensor per model input.", nameof(x));
        for (int i = 0; i < x.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(x[i], nameof(x));
            if (x[i].Rank < 1 || x[i].Size(0) == 0 || x[i].Size(0) != x[0].Size(0))
                throw new ArgumentException($"x[{i}] has shape {Tensor.ShapeString(x[i].Shape)}; expected at least one sample, as many as x[0] ({x[0].Size(0)}).", nameof(x));
        }
        int n = x[0].Size(0);
        mask?.RequireShape(n, mask.Steps, nameof(mask));
        BuildFor(x.Select(t => t.ShapeArray[1..]).ToArray());
        var parts = new List<Tensor[]>();
        for (int start = 0; start < n; start += batchSize)
        {
            var rows = Batches.Range(start, Math.Min(batchSize, n - start));
            parts.Add(InferencePass(x.Select(t => Batches.Take(t, rows)).ToArray(), Batches.Take(mask, rows), out _));
        }
        return Enumerable.Range(0, parts[0].Length).Select(k => Batches.Concat(parts.Select(p => p[k]).ToArray())).ToArray();
    }

    /// <summary>The output mask applies to the loss when the target keeps the time axis, or when the loss reads it as lengths (CTC).</summary>
    private static SequenceMask? LossMask(Loss loss, SequenceMask? outputMask, Tensor target)
        => outputMask is not null && (loss.MaskGivesPredictionLengths || (target.Rank >= 2 && target.Size(1) == outputMask.Steps)) ? outputMask : null;

    /// <summary>
    /// The mask known before running the model: the one the first layer on the input gives its
    /// output (<see cref="Layer.ComputeMask"/> from the raw input and the explicit mask: an
    /// <see cref="Embedding"/> with maskZero, a <see cref="Masking"/> layer, an encoder–decoder's
    /// target padding, or any layer's own rule), else the explicit one.
    /// </summary>
    private SequenceMask? InputMask(TrainingData data)
        => Graph!.FirstCallOnInput(0) is { } first ? first.ComputeMask(data.X, data.Mask) ?? data.Mask : data.Mask;

    private void RequireCompiled(string operation)
    {
        if (Optimizer is null || Losses.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' is not compiled: call Compile(optimizer, loss, ...) before {operation}.");
    }

    /// <summary>Builds for the data and checks the targets against the output, before any training work.</summary>
    private void PrepareFor(TrainingData data, string xName, string yName)
    {
        var outputShapes = BuildFor(data.Inputs.Select(x => x.ShapeArray[1..]).ToArray());
        data.AlignTargets(Losses, outputShapes, yName, InputMask(data));
    }
}
