using System.Text.RegularExpressions;
using Recur.Layers;

namespace Recur.Serialization;

/// <summary>state_dict naming: <c>module.path.parameter</c>, and recurrent parameter names.</summary>
internal static partial class PyTorchNames
{
    /// <summary><c>prefix.name</c>, or <c>name</c> when the prefix is empty.</summary>
    public static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>The module path of a tensor name: all before the last dot (<c>""</c> when there is none).</summary>
    public static string ModuleOf(string tensorName)
    {
        int dot = tensorName.LastIndexOf('.');
        return dot < 0 ? "" : tensorName[..dot];
    }

    /// <summary>True when the tensor belongs to module <paramref name="prefix"/> itself, not to a sub-module.</summary>
    public static bool IsDirectlyUnder(string tensorName, string prefix) => ModuleOf(tensorName) == prefix;

    /// <summary>A module path for messages.</summary>
    public static string Display(string module) => module.Length == 0 ? "(no prefix)" : $"'{module}'";

    /// <summary>The layer that owns the weights of a wrapper (<see cref="Bidirectional"/>, <see cref="TimeDistributed"/>).</summary>
    public static Layer Unwrap(Layer layer) => layer switch
    {
        Bidirectional b => b.Inner,
        TimeDistributed t => Unwrap(t.Inner),
        _ => layer,
    };

    /// <summary>Parses <c>weight_ih_l3_reverse</c> into its kind (<c>weight_ih</c>), stacked layer and direction.</summary>
    public static bool TryParseRecurrent(string parameterName, out string kind, out int layer, out bool reverse)
    {
        var m = RecurrentName().Match(parameterName);
        kind = m.Success ? m.Groups[1].Value : "";
        layer = m.Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
        reverse = m.Success && m.Groups[3].Success;
        return m.Success;
    }

    // [0-9], not \d: \d also matches other scripts' digits (Arabic-Indic, Devanagari, …), which int.Parse refuses.
    [GeneratedRegex(@"^(weight_ih|weight_hh|bias_ih|bias_hh)_l([0-9]{1,6})(_reverse)?$")]
    private static partial Regex RecurrentName();
}
