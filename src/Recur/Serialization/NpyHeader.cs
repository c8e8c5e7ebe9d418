using System.Text;

namespace Recur.Serialization;

/// <summary>
/// The header of a <c>.npy</c> array: a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// </summary>
/// <remarks>
/// Parsed by a small reader that accepts exactly the literals NumPy writes there (strings,
/// <c>True</c>/<c>False</c>, tuples of integers); nothing is evaluated.
/// </remarks>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="fail"/> builds the exception for a problem description.</summary>
    public static NpyHeader Parse(string text, Func<string, Exception> fail)
    {
        var reader = new LiteralReader(text, fail);
        var dict = reader.ReadDict();
        string[] required = { "descr", "fortran_order", "shape" };
        foreach (string key in dict.Keys)
            if (!required.Contains(key))
                throw fail($"the .npy header has an unexpected key '{key}'; expected exactly 'descr', 'fortran_order', 'shape'.");
        foreach (string key in required)
            if (!dict.ContainsKey(key))
                throw fail($"the .npy header lacks the key '{key}'.");

        string descr = dict["descr"] switch
        {
            string s => s,
            LiteralReader.ListMarker => throw fail("the array has a structured dtype (a list of fields); only plain numeric arrays are supported."),
            var other => throw fail($"'descr' is {Describe(other)}; expected a dtype string such as '<f4'."),
        };
        if (dict["fortran_order"] is not bool fortran)
            throw fail($"'fortran_order' is {Describe(dict["fortran_order"])}; expected True or False.");
        if (dict["shape"] is not int[] shape)
            throw fail($"'shape' is {Describe(dict["shape"])}; expected a tuple of non-negative integers.");
        return new NpyHeader(descr, fortran, shape);
    }

    private static string Describe(object value) => value switch
    {
        string s => $"the string '{s}'",
        bool b => b ? "True" : "False",
        int[] t => Tensor.ShapeString(t),
        _ => "a list",
    };

    /// <summary>Reads the subset of Python literal syntax used in .npy headers.</summary>
    private sealed class LiteralReader(string text, Func<string, Exception> fail)
    {
        /// <summary>Stands for a list value, which only structured dtypes use.</summary>
        public sealed class ListMarker;

        private int _pos;

        public Dictionary<string, object> ReadDict()
        {
            Expect('{');
            var dict = new Dictionary<string, object>(StringComparer.Ordinal);
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                string key = ReadString();
                Expect(':');
                object value = ReadValue();
                if (!dict.TryAdd(key, value)) throw fail($"the .npy header has the key '{key}' twice.");
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != '}') throw Unexpected("',' or '}'");
            }
            SkipSpace();
            if (_pos != text.Length) throw Unexpected("the end of the header");
            return dict;
        }

        private object ReadValue()
        {
            SkipSpace();
            char c = Peek();
            if (c is '\'' or '"') return ReadString();
            if (c == '(') return ReadTuple();
            if (c == '[') return SkipList();
            if (TryWord("True")) return true;
            if (TryWord("False")) return false;
            throw Unexpected("a string, True, False or a tuple");
        }

        private int[] ReadTuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; return dims.ToArray(); }
                dims.Add(ReadDimension(dims.Count));
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != ')') throw Unexpected("',' or ')'");
            }
        }

        private int ReadDimension(int index)
        {
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            if (_pos == start)
                throw fail($"shape dimension {index} at header offset {start} is not a non-negative integer.");
            string digits = text[start.._pos];
            if (Peek() == 'L') _pos++; // Python 2 long literal, e.g. (3L, 4L)
            if (!int.TryParse(digits, out int d))
                throw fail($"shape dimension {index} = {digits}; Recur tensors hold at most {int.MaxValue} per dimension.");
            return d;
        }

        private ListMarker SkipList()
        {
            int depth = 0;
            do
            {
                char c = Peek();
                if (c == '\0') throw Unexpected("']'");
                if (c is '\'' or '"') { ReadString(); continue; }
                if (c == '[') depth++;
                else if (c == ']') depth--;
                _pos++;
            } while (depth > 0);
            return new ListMarker();
        }

        private string ReadString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Unexpected("a quoted string");
            var sb = new StringBuilder();
            for (_pos++; _pos < text.Length && text[_pos] != quote; _pos++)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length) _pos++;
                sb.Append(text[_pos]);
            }
            if (_pos >= text.Length) throw fail("the .npy header has an unterminated string.");
            _pos++;
            return sb.ToString();
        }

        private bool TryWord(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Unexpected($"'{c}'");
            _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private Exception Unexpected(string expected)
        {
            string found = _pos < text.Length ? $"'{text[_pos]}'" : "the end";
            return fail($"the .npy header is not a dict literal NumPy writes: expected {expected} at offset {_pos}, found {found}.");
        }
    }
}
