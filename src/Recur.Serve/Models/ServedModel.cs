namespace Recur.Serve.Models;

/// <summary>A loaded model: what the API says about it and the endpoint that serves its task.</summary>
public sealed class ServedModel(ModelInfo info, TaskEndpoint endpoint) : IAsyncDisposable
{
    /// <summary>The model's description.</summary>
    public ModelInfo Info { get; } = info ?? throw new ArgumentNullException(nameof(info));

    /// <summary>Serves the model's task.</summary>
    public TaskEndpoint Endpoint { get; } = endpoint ?? throw new ArgumentNullException(nameof(endpoint));

    /// <summary>The name in the URLs.</summary>
    public string Name => Info.Name;

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();
}
