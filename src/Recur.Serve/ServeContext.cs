using Recur.Serve.Metrics;

namespace Recur.Serve;

/// <summary>What every served model shares: the settings and the metrics it reports to.</summary>
public sealed class ServeContext
{
    /// <summary>Checks <paramref name="options"/> and starts empty metrics.</summary>
    public ServeContext(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public ServeOptions Options { get; }

    /// <summary>The counters behind <c>/metrics</c>.</summary>
    public ServeMetrics Metrics { get; } = new();
}
