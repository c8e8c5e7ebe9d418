using System.Globalization;
using System.Text.Json;

namespace Recur.Serve.Api;

/// <summary>
/// Typed, checked access to the fields of a JSON request object. Every failure is a
/// <see cref="RequestException"/> that names the field, what was expected and what came.
/// </summary>
public sealed class JsonRequest(JsonElement root)
{
    /// <summary>The request object.</summary>
    public JsonElement Root { get; } = root;

    /// <summary>An empty request (a POST without a body where one is optional).</summary>
    public static JsonRequest Empty { get; } = new(JsonDocument.Parse("{}").RootElement.Clone());

    /// <summary>Refuses fields other than <paramref name="known"/> (a typo would otherwise be silently ignored).</summary>
    public void AllowOnly(params string[] known)
    {
        foreach (var p in Root.EnumerateObject())
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new RequestException(400, "unknown-field", "The request has a field this endpoint does not take",
                    $"'{p.Name}' is not a field of this request; expected {string.Join(", ", known.Select(k => "'" + k + "'"))}.", p.Name);
    }

    /// <summary>True when <paramref name="name"/> is present and not null.</summary>
    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A string of at most <paramref name="maxLength"/> characters, or null when absent.</summary>
    public string? Text(string name, int maxLength)
    {
        if (!Get(name, out var v)) return null;
        return CheckedString(v, name, maxLength);
    }

    /// <summary>A list of 1 to <paramref name="maxCount"/> strings of at most <paramref name="maxLength"/> characters, or null when absent.</summary>
    public string[]? Strings(string name, int maxCount, int maxLength)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw RequestException.WrongType(name, "a list of strings", Describe(v));
        int n = v.GetArrayLength();
        if (n == 0) throw RequestException.Invalid(name, $"'{name}' is an empty list; expected at least one text.");
        if (n > maxCount) throw RequestException.OverLimit(name, $"'{name}' has {n:N0} texts; the limit is {maxCount:N0} per request.", maxCount);
        var result = new string[n];
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            result[i] = CheckedString(item, $"{name}[{i}]", maxLength);
            i++;
        }
        return result;
    }

    /// <summary>
    /// A list of at most <paramref name="maxCount"/> finite numbers, or null when absent. The strings
    /// "NaN", "Infinity" and "-Infinity" (how some clients write them) are named as such.
    /// </summary>
    public double[]? Numbers(string name, int maxCount)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw RequestException.WrongType(name, "a list of numbers", Describe(v));
        int n = v.GetArrayLength();
        if (n > maxCount) throw RequestException.OverLimit(name, $"'{name}' has {n:N0} values; the limit is {maxCount:N0}.", maxCount);
        var result = new double[n];
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            string field = $"{name}[{i}]";
            if (item.ValueKind == JsonValueKind.String && item.GetString() is "NaN" or "Infinity" or "-Infinity" or "+Infinity")
                throw RequestException.Invalid(field, $"'{field}' is {item.GetString()}; expected a finite number.");
            if (item.ValueKind != JsonValueKind.Number) throw RequestException.WrongType(field, "a number", Describe(item));
            if (!item.TryGetDouble(out result[i]) || !double.IsFinite(result[i]))
                throw RequestException.Invalid(field, $"'{field}' is {item.GetRawText()}; expected a finite number.");
            i++;
        }
        return result;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or null when absent; over <paramref name="max"/> is a limit.</summary>
    public long? Whole(string name, long min, long max)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number) throw RequestException.WrongType(name, "an integer", Describe(v));
        if (!v.TryGetInt64(out long x))
        {
            if (v.TryGetDouble(out double d) && Math.Floor(d) != d) throw RequestException.WrongType(name, "an integer", v.GetRawText());
            throw RequestException.OverLimit(name, $"'{name}' is {v.GetRawText()}; the limit is {max.ToString(CultureInfo.InvariantCulture)}.", max);
        }
        if (x > max) throw RequestException.OverLimit(name, $"'{name}' is {x:N0}; the limit is {max:N0}.", max);
        if (x < min) throw RequestException.Invalid(name, $"'{name}' is {x}; expected at least {min}.");
        return x;
    }

    /// <summary>An unsigned 64-bit integer (a seed), or null when absent.</summary>
    public ulong? UnsignedInteger(string name)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetUInt64(out ulong x))
            throw RequestException.WrongType(name, "an integer from 0 to 18446744073709551615", Describe(v));
        return x;
    }

    /// <summary>A finite number in (<paramref name="above"/>, <paramref name="max"/>], or null when absent.</summary>
    public double? Number(string name, double above, double max)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number) throw RequestException.WrongType(name, "a number", Describe(v));
        double x = v.GetDouble();
        if (!(x > above)) throw RequestException.Invalid(name, $"'{name}' is {v.GetRawText()}; expected a number above {above.ToString(CultureInfo.InvariantCulture)}.");
        if (x > max) throw RequestException.OverLimit(name, $"'{name}' is {v.GetRawText()}; the limit is {max.ToString(CultureInfo.InvariantCulture)}.", max);
        return x;
    }

    /// <summary>A boolean, or null when absent.</summary>
    public bool? Flag(string name)
    {
        if (!Get(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw RequestException.WrongType(name, "true or false", Describe(v)),
        };
    }

    /// <summary>"a string", "a number 3", "a list" … for messages.</summary>
    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "the number " + v.GetRawText(),
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => v.ValueKind.ToString(),
    };

    private bool Get(string name, out JsonElement value)
        => Root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string CheckedString(JsonElement v, string field, int maxLength)
    {
        if (v.ValueKind != JsonValueKind.String) throw RequestException.WrongType(field, "a string", Describe(v));
        var s = v.GetString()!;
        if (s.Length > maxLength)
            throw RequestException.OverLimit(field, $"'{field}' is {s.Length:N0} characters long; the limit is {maxLength:N0}.", maxLength);
        return s;
    }
}
