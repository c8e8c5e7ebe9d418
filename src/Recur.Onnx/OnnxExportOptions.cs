namespace Recur.Onnx;

/// <summary>Settings of one ONNX export; the defaults suit ONNX Runtime and ML.NET.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Name of the graph input of a model of one input: ids (B, T) int64 for an input read by an
    /// Embedding, else float. A model of several inputs names them after its symbolic inputs.
    /// </summary>
    public string InputName { get; init; } = "input";

    /// <summary>
    /// Name of the graph output of a model of one output (the model's <c>Predict</c> output). A
    /// model of several outputs names them after its symbolic outputs (their layers' names).
    /// </summary>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// Expose recurrent states: the optional inputs <c>{layer}.h0</c> (and <c>.c0</c>) and the
    /// outputs <c>{layer}.h_n</c> (and <c>.c_n</c>) of every recurrent layer, for streaming (feed
    /// one call's final states as the next call's initial states). Default true.
    /// </summary>
    public bool States { get; init; } = true;

    /// <summary>
    /// Add the input <c>lengths</c> (B) int32: each row's number of real steps, its padding at the
    /// end — the mask <c>Predict</c> takes (<c>SequenceMask.FromLengths</c>). Default false.
    /// </summary>
    public bool LengthsInput { get; init; }

    /// <summary>A description written into the model's <c>doc_string</c> before the generated one.</summary>
    public string? Description { get; init; }

    /// <summary>Metadata written as the model's <c>metadata_props</c> (for instance the task and the vocabularies).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The model version written into the file (ONNX <c>model_version</c>).</summary>
    public long ModelVersion { get; init; } = 1;
}
