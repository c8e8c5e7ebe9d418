namespace Recur.Serialization;

/// <summary>
/// Weights from another framework that do not fit the model. Thrown before any weight changes;
/// the message names the file and lists every problem found (missing, misshaped or unused
/// tensors, wrong array counts), each with the expected and the actual value.
/// </summary>
public sealed class WeightImportException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> with one or more problems.</summary>
    public WeightImportException(string source, string what, IReadOnlyList<string> problems)
        : base(Format(source, what, problems))
    {
        SourceName = source;
        Problems = problems;
    }

    /// <summary>The file (or caller-given name) the weights came from.</summary>
    public string SourceName { get; }

    /// <summary>Each problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string source, string what, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 1) return $"{source}: cannot import {what}: {problems[0]}";
        return $"{source}: cannot import {what} ({problems.Count} problems):" + string.Concat(problems.Select(p => "\n  - " + p));
    }
}
