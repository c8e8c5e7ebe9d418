using System.Globalization;
using System.Text;
using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>One record of a delimited file and the line it starts on (1-based).</summary>
internal sealed record Row(int Line, string[] Cells);

/// <summary>
/// A CSV or TSV file, LF, CRLF or CR line ends, with or without a final newline; blank lines are
/// skipped. CSV follows RFC 4180 quoting (<c>"a, b"</c>, <c>""</c> for a quote, line breaks inside
/// quotes); TSV has no quoting: a record is a line, cells are split at tabs and kept as written.
/// The delimiter is a tab when the first line has one, else a comma (or a semicolon when that is
/// all the first line has). Whether the first row is a header is detected (see
/// <see cref="LooksLikeHeader"/>) unless the caller says.
/// </summary>
internal sealed class DelimitedFile
{
    private DelimitedFile(string path, char delimiter, string[]? header, List<Row> rows)
    {
        Path = path;
        Delimiter = delimiter;
        Header = header;
        Rows = rows;
    }

    /// <summary>The file as the user named it (used in every message).</summary>
    public string Path { get; }

    public char Delimiter { get; }

    /// <summary>The column names, or null when the file has no header row.</summary>
    public string[]? Header { get; }

    /// <summary>The data rows (the header excluded), all with <see cref="ColumnCount"/> cells.</summary>
    public IReadOnlyList<Row> Rows { get; }

    public int ColumnCount => Header?.Length ?? Rows[0].Cells.Length;

    /// <summary>The name of column <paramref name="index"/> for messages: its header, else "column N".</summary>
    public string ColumnName(int index) => Header is null ? $"column {index}" : Limits.Quote(Header[index]);

    /// <summary>Reads and checks <paramref name="path"/>; <paramref name="header"/> null means detect.</summary>
    public static DelimitedFile Read(string path, string option, bool? header)
        => FromText(InputFile.ReadText(path, option), path, header);

    /// <summary>The file from its text (the delimiter detected unless given); <paramref name="path"/> names it in messages.</summary>
    internal static DelimitedFile FromText(string text, string path, bool? header, char? delimiterGiven = null)
    {
        char delimiter = delimiterGiven ?? DetectDelimiter(text);
        var records = Parse(text, path, delimiter);
        if (records.Count == 0) throw new InputException($"{path}: the file has no rows (only blank lines).");
        bool hasHeader = header ?? LooksLikeHeader(records);
        string[]? names = hasHeader ? records[0].Cells.Select(c => c.Trim()).ToArray() : null;
        var rows = hasHeader ? records.Skip(1).ToList() : records;
        if (rows.Count == 0) throw new InputException($"{path}: the file has a header but no data rows.");
        int width = names?.Length ?? rows[0].Cells.Length;
        foreach (var row in rows)
            if (row.Cells.Length != width)
                throw new InputException($"{path} line {row.Line}: {row.Cells.Length} fields; expected {width} like {(names is null ? "the first row" : "the header")}" +
                                         (delimiter == ',' ? " (quote text that contains commas)." : "."));
        return new DelimitedFile(path, delimiter, names, rows);
    }

    /// <summary>
    /// Finds a column by name (case-insensitive when no exact match) or by 0-based index.
    /// </summary>
    public int Column(string spec, string option)
    {
        spec = spec.Trim();
        if (Header is not null)
        {
            int exact = Array.IndexOf(Header, spec);
            if (exact >= 0) return exact;
            int loose = Array.FindIndex(Header, h => string.Equals(h, spec, StringComparison.OrdinalIgnoreCase));
            if (loose >= 0) return loose;
        }
        if (int.TryParse(spec, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index))
        {
            if (index >= 0 && index < ColumnCount) return index;
            throw new InputException($"{Path}: {option} {spec} is out of range; the file has columns 0-{ColumnCount - 1}.");
        }
        string known = Header is null ? $"the file has no header; use an index 0-{ColumnCount - 1}" : "columns: " + Limits.Quote(string.Join(", ", Header));
        throw new InputException($"{Path}: no column \"{Limits.Quote(spec)}\" for {option} ({known}).");
    }

    /// <summary>The longest cell (characters) that <see cref="LooksLikeHeader"/> reads as a value of a column of few values.</summary>
    private const int MaxCategoryLength = 256;

    /// <summary>
    /// A header is likely when some column is numeric in the data rows but not in the first row
    /// (<c>Passengers</c> above numbers), or when the first row's value of a column with few
    /// distinct values never occurs again (<c>label</c> above <c>pos</c>/<c>neg</c>).
    /// </summary>
    internal static bool LooksLikeHeader(IReadOnlyList<Row> records)
    {
        if (records.Count < 2) return false;
        var first = records[0].Cells;
        var sample = records.Skip(1).Take(500).Where(r => r.Cells.Length == first.Length).ToList();
        if (sample.Count == 0) return false;
        for (int c = 0; c < first.Length; c++)
        {
            var cells = sample.Select(r => r.Cells[c]).ToList();
            bool numericBelow = cells.All(v => Numbers.IsMissing(v) || Numbers.TryParse(v, out _)) && cells.Any(v => !Numbers.IsMissing(v));
            if (numericBelow && !Numbers.IsMissing(first[c]) && !Numbers.TryParse(first[c], out _)) return true;
        }
        for (int c = 0; c < first.Length; c++)
        {
            // A class label is short: a column with a long cell (a text) is not one of few values.
            if (first[c].Length > MaxCategoryLength || sample.Any(r => r.Cells[c].Length > MaxCategoryLength)) continue;
            var cells = sample.Select(r => r.Cells[c].Trim()).ToList();
            int distinct = cells.Distinct().Count();
            if (cells.Count >= 2 && distinct <= Math.Max(1, cells.Count / 2) && !cells.Contains(first[c].Trim())) return true;
        }
        return false;
    }

    /// <summary>Splits text into records, keeping the line each starts on: TSV as its writers write it, CSV with RFC 4180 quoting.</summary>
    internal static List<Row> Parse(string text, string path, out char delimiter)
    {
        delimiter = DetectDelimiter(text);
        return Parse(text, path, delimiter);
    }

    private static List<Row> Parse(string text, string path, char delimiter)
        => delimiter == '\t' ? ParseTsv(text) : ParseCsv(text, path, delimiter);

    /// <summary>
    /// TSV: one record per line, cells between tabs exactly as written. Most TSV writers (GLUE,
    /// IMDB dumps, cut/paste) quote nothing, so a quote is an ordinary character here:
    /// <c>" I love it.</c> is a text that starts with a quote.
    /// </summary>
    private static List<Row> ParseTsv(string text)
    {
        var records = new List<Row>();
        int line = 0, start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        while (start < text.Length)
        {
            line++;
            int end = text.AsSpan(start).IndexOfAny('\n', '\r');
            end = end < 0 ? text.Length : start + end;
            var content = text.AsSpan(start, end - start);
            if (!content.IsWhiteSpace()) records.Add(new Row(line, Cells(content)));
            start = end + (end + 1 < text.Length && text[end] == '\r' && text[end + 1] == '\n' ? 2 : 1);
        }
        return records;
    }

    /// <summary>The cells between tabs, cut from the line itself (a line of megabytes is not copied first).</summary>
    private static string[] Cells(ReadOnlySpan<char> line)
    {
        var cells = new string[line.Count('\t') + 1];
        for (int c = 0; c < cells.Length; c++)
        {
            int tab = line.IndexOf('\t');
            cells[c] = (tab < 0 ? line : line[..tab]).ToString();
            if (tab >= 0) line = line[(tab + 1)..];
        }
        return cells;
    }

    /// <summary>CSV: RFC 4180 quoting; a quote opens a quoted cell only where the cell has nothing but spaces so far.</summary>
    private static List<Row> ParseCsv(string text, string path, char delimiter)
    {
        var records = new List<Row>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        // blank: the cell holds only white space so far (tracked, not recomputed, so each character costs O(1)).
        bool quoted = false, wasQuoted = false, any = false, blank = true;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        void EndCell()
        {
            cells.Add(wasQuoted ? cell.ToString() : cell.ToString().Trim('\r'));
            cell.Clear();
            wasQuoted = false;
            blank = true;
        }
        void EndRecord()
        {
            EndCell();
            // A blank line is one empty cell: skip it.
            if (!(cells.Count == 1 && cells[0].Length == 0 && !any)) records.Add(new Row(recordLine, cells.ToArray()));
            cells.Clear();
            any = false;
        }
        for (; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n' || (ch == '\r' && !(i + 1 < text.Length && text[i + 1] == '\n'))) line++;
                    cell.Append(ch);
                }
                continue;
            }
            if (ch == '"' && blank && !wasQuoted)
            {
                cell.Clear();
                quoted = wasQuoted = any = true;
                blank = false;
            }
            else if (ch == delimiter)
            {
                EndCell();
                any = true;
            }
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                EndRecord();
                line++;
                recordLine = line;
            }
            else
            {
                cell.Append(ch);
                if (!char.IsWhiteSpace(ch)) blank = false;
                if (ch != ' ') any = true;
            }
        }
        if (quoted) throw new InputException($"{path} line {recordLine}: a quoted field is not closed (CSV doubles a quote inside quotes: \"\"); " +
                                             "if the file has no quoting, save it as tab-separated.");
        if (cell.Length > 0 || cells.Count > 0 || any) EndRecord();
        return records;
    }

    private static char DetectDelimiter(string text)
    {
        int end = text.AsSpan().IndexOfAny('\n', '\r');
        var first = end < 0 ? text : text[..end];
        if (first.Contains('\t')) return '\t';
        if (first.Contains(',')) return ',';
        return first.Contains(';') ? ';' : ',';
    }
}
