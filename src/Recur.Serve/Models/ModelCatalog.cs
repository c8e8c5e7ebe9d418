using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;

namespace Recur.Serve.Models;

/// <summary>The models a server was started with, by name.</summary>
public sealed partial class ModelCatalog : IAsyncDisposable
{
    private readonly Dictionary<string, ServedModel> _models = new(StringComparer.Ordinal);

    /// <summary>Checks that every name is well formed and unique.</summary>
    public ModelCatalog(IEnumerable<ServedModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var m in models)
        {
            if (!ValidName().IsMatch(m.Name))
                throw new ArgumentException($"Model name '{m.Name}' is not usable in a URL; expected letters, digits, '.', '_' or '-' (at most 100).", nameof(models));
            if (!_models.TryAdd(m.Name, m))
                throw new ArgumentException($"Two models are named '{m.Name}'; name them with --model NAME=DIR.", nameof(models));
        }
    }

    /// <summary>Every model, in the order given.</summary>
    public IEnumerable<ServedModel> All => _models.Values;

    /// <summary>True when a model is called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _models.ContainsKey(name);

    /// <summary>The model called <paramref name="name"/>.</summary>
    /// <exception cref="RequestException">404 naming the known models.</exception>
    public ServedModel Get(string name)
        => _models.TryGetValue(name, out var m) ? m
            : throw new RequestException(StatusCodes.Status404NotFound, "unknown-model", "No model of that name",
                $"No model is called '{name}'; the models are {string.Join(", ", _models.Keys.Select(k => "'" + k + "'"))}.", "name");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex ValidName();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var m in _models.Values) await m.DisposeAsync().ConfigureAwait(false);
    }
}
