namespace Recur.Serve.Models;

/// <summary>What <c>GET /v1/models</c> says about one model.</summary>
/// <param name="Name">The name in the URLs (<c>/v1/models/NAME:predict</c>).</param>
/// <param name="Task">The task: classify, tag, forecast, charlm, …</param>
/// <param name="Architecture">A one-line summary of the network ("bidirectional LSTM(128)") and its parameter count.</param>
/// <param name="Input">What a request gives.</param>
/// <param name="Output">What the answer holds.</param>
/// <param name="Streams">True when the model keeps stateful streams (<c>POST /v1/models/NAME/streams</c>).</param>
/// <param name="Details">Task facts a client may need: labels, alphabet, window, …</param>
public sealed record ModelInfo(string Name, string Task, string Architecture, string Input, string Output, bool Streams,
    IReadOnlyDictionary<string, object?> Details);
