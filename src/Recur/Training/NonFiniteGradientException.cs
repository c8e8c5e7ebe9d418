using System.Globalization;
using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// Thrown when a gradient holds NaN or ±∞ at the point where it would be applied (an optimizer
/// step or gradient clipping). Nothing has been changed when it is thrown.
/// </summary>
public sealed class NonFiniteGradientException : Exception
{
    /// <summary>Creates the exception for the given offending parameters.</summary>
    public NonFiniteGradientException(string message, IReadOnlyList<int> parameterIndices, IReadOnlyList<string> parameterNames)
        : base(message)
    {
        ParameterIndices = parameterIndices;
        ParameterNames = parameterNames;
    }

    /// <summary>Positions of the offending parameters in the list that was passed in.</summary>
    public IReadOnlyList<int> ParameterIndices { get; }

    /// <summary>Names of the offending parameters, in the order of <see cref="ParameterIndices"/>.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// Throws when any trainable parameter's gradient has a non-finite value, naming every such
    /// parameter with its index, the count of bad values and the first one.
    /// </summary>
    internal static void ThrowIfAny(IReadOnlyList<Parameter> parameters, string operation)
    {
        List<int>? indices = null;
        List<string>? details = null;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (!p.Trainable) continue;
            var g = p.Grad.Span;
            int bad = 0, first = -1;
            for (int j = 0; j < g.Length; j++)
                if (!float.IsFinite(g[j]))
                {
                    bad++;
                    if (first < 0) first = j;
                }
            if (bad == 0) continue;
            (indices ??= new()).Add(i);
            (details ??= new()).Add($"parameters[{i}] '{p.Name}' {Tensor.ShapeString(p.Value.Shape)}: {bad} non-finite value(s), first {g[first].ToString(CultureInfo.InvariantCulture)} at flat index {first}");
        }
        if (indices is null) return;
        throw new NonFiniteGradientException(
            $"{operation}: gradients must be finite; nothing was changed. {string.Join("; ", details!)}.",
            indices, indices.Select(i => parameters[i].Name).ToArray());
    }
}
