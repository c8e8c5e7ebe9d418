using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Training;

/// <summary>
/// Crash-safe training (Keras' <c>BackupAndRestore</c>): after every epoch the whole training
/// state is written to <paramref name="fileName"/> (<c>backup.safetensors</c>) in <paramref name="directory"/>, and a
/// <c>Fit</c> that starts while a backup is there continues from it instead of from the start.
/// A run killed at any moment and started again with the same data, model and callbacks ends
/// with the same weights, bit for bit, as a run never interrupted.
/// </summary>
/// <remarks>
/// <para>The backup holds the weights, the optimizer state (moments, step counts, learning rate),
/// the epoch and step counters, the reading position in the source, every random stream training
/// draws from (shuffling, dropout), the carried states of a stateful model, the logs so far and
/// every callback's state (<see cref="Callback.SaveState"/>: EarlyStopping's best value, wait and
/// best weights, ReduceLROnPlateau's wait and cooldown, the schedule's initial rate, budgets).
/// It is one file written atomically (a temporary file, flushed, renamed over the old one): a kill
/// during the save leaves the previous backup whole. Work since the last epoch end is redone.</para>
/// <para>Fit runs this callback after the others at the end of an epoch, so it records their
/// state after the epoch. With <paramref name="deleteOnTrainEnd"/> the backup is removed when
/// training ends normally (as Keras does). <paramref name="fingerprint"/>, when given, must match
/// the one stored in the backup (e.g. the settings of a command-line run).</para>
/// </remarks>
public sealed class BackupAndRestore(string directory, string? fingerprint = null, bool deleteOnTrainEnd = true, string fileName = BackupAndRestore.FileName) : Callback
{
    /// <summary>The backup's default file name inside the directory.</summary>
    public const string FileName = "backup.safetensors";

    private const string Format = "recur-backup";
    private const int FormatVersion = 1;

    /// <summary>The backup file.</summary>
    public string Path => System.IO.Path.Combine(directory, fileName);

    /// <summary>The epoch (0-based) training resumed at, or null when it started from the beginning.</summary>
    public int? ResumedAtEpoch { get; private set; }

    /// <summary>True when a backup exists in <paramref name="directory"/>.</summary>
    public static bool Exists(string directory) => File.Exists(System.IO.Path.Combine(directory, FileName));

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        ResumedAtEpoch = null;
        Directory.CreateDirectory(directory);
        // A save killed half-way leaves its temporary file (never the backup itself): remove it.
        foreach (var stale in Directory.EnumerateFiles(directory, $".{fileName}.*.tmp"))
            try { File.Delete(stale); } catch (IOException) { }
        if (!File.Exists(Path)) return;
        Restore();
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => Save(epoch + 1);

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        if (deleteOnTrainEnd && File.Exists(Path)) File.Delete(Path);
    }

    private Models.TrainingRun Run => Model.CurrentRun ?? throw new InvalidOperationException("BackupAndRestore works only inside Model.Fit.");

    private void Save(int nextEpoch)
    {
        var run = Run;
        var parameters = Model.Parameters;
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < parameters.Count; i++) tensors.Add(new($"weights.{i}", parameters[i].Value));
        var optimizer = Model.Optimizer!.ExportStateViews(parameters); // written at once
        foreach (var (k, t) in optimizer.Tensors) tensors.Add(new("optimizer." + k, t));
        int r = 0;
        foreach (var layer in Model.RecurrentLayers)
        {
            var (h, c) = layer.Carried;
            if (h is not null) tensors.Add(new($"carried.{r}.hidden", h));
            if (c is not null) tensors.Add(new($"carried.{r}.cell", c));
            r++;
        }
        var callbacks = new JsonArray();
        for (int i = 0; i < run.Callbacks.Count; i++)
        {
            var cb = run.Callbacks[i];
            var state = new CallbackState();
            if (!ReferenceEquals(cb, this)) cb.SaveState(state);
            foreach (var (k, t) in state.Tensors) tensors.Add(new($"callback.{i}.{k}", t));
            callbacks.Add(new JsonObject
            {
                ["type"] = cb.GetType().FullName,
                ["numbers"] = Numbers(state.Numbers),
                ["texts"] = new JsonObject(state.Texts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            });
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["fingerprint"] = fingerprint ?? "",
            ["run"] = new JsonObject
            {
                ["epoch"] = nextEpoch,
                ["steps"] = run.Steps,
                ["source_epoch"] = run.SourceEpoch,
                ["source_offset"] = run.SourceOffset,
                ["stop_training"] = Model.StopTraining,
                ["parameters"] = parameters.Count,
                ["recurrent_layers"] = r,
            }.ToJsonString(),
            ["optimizer"] = new JsonObject { ["name"] = optimizer.Optimizer, ["scalars"] = Numbers(optimizer.Scalars) }.ToJsonString(),
            ["random"] = new JsonArray(Model.RandomStreams.Select(s => (JsonNode?)s.SaveState()).ToArray()).ToJsonString(),
            ["callbacks"] = callbacks.ToJsonString(),
            ["history"] = new JsonArray(run.Rows.Select(row => (JsonNode?)Numbers(row)).ToArray()).ToJsonString(),
        };
        SafeTensorsWriter.Write(Path, tensors, metadata);
    }

    /// <summary>Checks everything in the backup against this run, then sets the run back to it.</summary>
    private void Restore()
    {
        var run = Run;
        SafeTensorsFile file;
        try
        {
            file = SafeTensorsFile.Read(Path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new InvalidDataException($"{Path}: not a readable backup ({e.Message}).", e);
        }
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{Path}: not a Recur training backup (format '{format}').");
        if (Text(meta, "format_version") != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{Path}: backup format version {Text(meta, "format_version")}; this Recur reads version {FormatVersion}.");
        string stored = Text(meta, "fingerprint");
        if (fingerprint is not null && stored != fingerprint)
            throw new BackupMismatchException($"{Path} was written by another run (settings '{stored}'; this run: '{fingerprint}'). Resume with the same settings, or remove the backup.");

        try
        {
            var runJson = Object(meta, "run");
            var parameters = Model.Parameters;
            int count = Int(runJson, "parameters");
            if (count != parameters.Count)
                throw new BackupMismatchException($"{Path} holds {count} parameters; the model has {parameters.Count}. The backup belongs to another model.");
            var weights = new Tensor[parameters.Count];
            for (int i = 0; i < parameters.Count; i++)
            {
                weights[i] = file.Get($"weights.{i}");
                if (!weights[i].SameShape(parameters[i].Value.ShapeArray))
                    throw new BackupMismatchException($"{Path}: parameter {i} ('{parameters[i].Name}') has shape {Tensor.ShapeString(weights[i].Shape)} in the backup, {Tensor.ShapeString(parameters[i].Value.Shape)} in the model.");
            }
            var optimizerJson = Object(meta, "optimizer");
            var optimizer = new OptimizerState(
                optimizerJson["name"]?.GetValue<string>() ?? throw new InvalidDataException("optimizer has no name."),
                file.Names.Where(n => n.StartsWith("optimizer.", StringComparison.Ordinal)).Select(n => KeyValuePair.Create(n["optimizer.".Length..], file.Get(n))).ToList(),
                ReadNumbers(optimizerJson["scalars"]).ToList());
            var randoms = Model.RandomStreams.ToList();
            var randomStates = (JsonNode.Parse(Text(meta, "random")) as JsonArray ?? throw new InvalidDataException("random is not an array."))
                .Select(n => n?.GetValue<string>() ?? throw new InvalidDataException("a random state is null.")).ToList();
            if (randomStates.Count != randoms.Count)
                throw new BackupMismatchException($"{Path} holds {randomStates.Count} random streams; the model draws from {randoms.Count}. The backup belongs to another model.");
            var recurrent = Model.RecurrentLayers.ToList();
            if (Int(runJson, "recurrent_layers") != recurrent.Count)
                throw new BackupMismatchException($"{Path} holds {Int(runJson, "recurrent_layers")} recurrent layers; the model has {recurrent.Count}.");
            var callbacksJson = JsonNode.Parse(Text(meta, "callbacks")) as JsonArray ?? throw new InvalidDataException("callbacks is not an array.");
            var types = callbacksJson.Select(c => c?["type"]?.GetValue<string>()).ToList();
            var expected = run.Callbacks.Select(c => c.GetType().FullName).ToList();
            if (!types.SequenceEqual(expected))
                throw new BackupMismatchException($"{Path} was written with the callbacks [{string.Join(", ", types)}]; this run has [{string.Join(", ", expected)}].");
            var states = new List<CallbackState>();
            for (int i = 0; i < callbacksJson.Count; i++)
            {
                var state = new CallbackState();
                foreach (var (k, v) in ReadNumbers(callbacksJson[i]!["numbers"])) state.Set(k, v);
                foreach (var (k, v) in callbacksJson[i]!["texts"] as JsonObject ?? new JsonObject()) state.Set(k, v!.GetValue<string>());
                string prefix = $"callback.{i}.";
                foreach (var n in file.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))) state.Set(n[prefix.Length..], file.Get(n));
                states.Add(state);
            }
            var rows = (JsonNode.Parse(Text(meta, "history")) as JsonArray ?? throw new InvalidDataException("history is not an array."))
                .Select(row => (IReadOnlyDictionary<string, double>)ReadNumbers(row).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList();

            int epoch = Int(runJson, "epoch"), sourceEpoch = Int(runJson, "source_epoch"), sourceOffset = Int(runJson, "source_offset");
            long steps = runJson["steps"]?.GetValue<long>() ?? throw new InvalidDataException("run has no 'steps'.");
            bool stopTraining = runJson["stop_training"]?.GetValue<bool>() ?? throw new InvalidDataException("run has no 'stop_training'.");

            // Everything is read and checked: set the run back. The optimizer first, as it checks its
            // state against the parameters itself: a refusal there leaves the weights as they were.
            Model.Optimizer!.ImportState(parameters, optimizer);
            for (int i = 0; i < parameters.Count; i++) weights[i].Span.CopyTo(parameters[i].Value.Span);
            for (int i = 0; i < randoms.Count; i++) randoms[i].LoadState(randomStates[i]);
            for (int i = 0; i < recurrent.Count; i++)
                recurrent[i].Carried = (Optional(file, $"carried.{i}.hidden"), Optional(file, $"carried.{i}.cell"));
            for (int i = 0; i < states.Count; i++)
                if (!ReferenceEquals(run.Callbacks[i], this)) run.Callbacks[i].LoadState(states[i]);
            run.RestoreRows(rows);
            run.Epoch = epoch;
            run.Steps = steps;
            run.SourceEpoch = sourceEpoch;
            run.SourceOffset = sourceOffset;
            Model.StopTraining = stopTraining;
            ResumedAtEpoch = run.Epoch;
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException or NullReferenceException)
        {
            throw new InvalidDataException($"{Path}: the backup is invalid: {e.Message}", e);
        }
    }

    private static Tensor? Optional(SafeTensorsFile file, string name) => file.Contains(name) ? file.Get(name) : null;

    /// <summary>Numbers as exact round-trip strings (JSON has no ∞ or NaN).</summary>
    private static JsonObject Numbers(IEnumerable<KeyValuePair<string, double>> values)
        => new(values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value.ToString("R", CultureInfo.InvariantCulture))));

    private static IEnumerable<KeyValuePair<string, double>> ReadNumbers(JsonNode? node)
        => (node as JsonObject ?? throw new InvalidDataException("expected an object of numbers."))
            .Select(kv => KeyValuePair.Create(kv.Key, double.Parse(kv.Value!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture)));

    private static string Text(IReadOnlyDictionary<string, string> meta, string key)
        => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"the backup has no '{key}' entry.");

    private static JsonObject Object(IReadOnlyDictionary<string, string> meta, string key)
        => JsonNode.Parse(Text(meta, key)) as JsonObject ?? throw new InvalidDataException($"'{key}' is not a JSON object.");

    private static int Int(JsonObject o, string key) => o[key]?.GetValue<int>() ?? throw new InvalidDataException($"run has no '{key}'.");
}
