using Recur.Cli.Data;
using Recur.Cli.Output;

namespace Recur.Tests.Cli;

public class DataParsingTests
{
    [Fact]
    public void Csv_with_quotes_crlf_and_no_final_newline()
    {
        var rows = DelimitedFile.Parse("\"Month\",\"Note\"\r\n\"1949-01\",\"a, \"\"quoted\"\"\r\nvalue\"\r\n\r\n1949-02,plain", "f.csv", out char delimiter);
        Assert.Equal(',', delimiter);
        Assert.Equal(3, rows.Count);
        Assert.Equal(new[] { "Month", "Note" }, rows[0].Cells);
        Assert.Equal(new[] { "1949-01", "a, \"quoted\"\r\nvalue" }, rows[1].Cells);
        Assert.Equal(new[] { "1949-02", "plain" }, rows[2].Cells);
        Assert.Equal(new[] { 1, 2, 5 }, rows.Select(r => r.Line));
    }

    [Fact]
    public void Tab_wins_over_commas_in_text()
    {
        var rows = DelimitedFile.Parse("no wit , only gags\t0\nfine\t1\n", "f.tsv", out char delimiter);
        Assert.Equal('\t', delimiter);
        Assert.Equal(new[] { "no wit , only gags", "0" }, rows[0].Cells);
    }

    [Theory]
    [InlineData("sentence\tlabel\nnice film\t1\nbad film\t0\ngood\t1\n", true)]
    [InlineData("nice film\t1\nbad film\t0\ngood\t1\n", false)]
    [InlineData("text\tsentiment\nnice\tpos\nbad\tneg\nok\tpos\nugly\tneg\n", true)]
    [InlineData("nice\tpos\nbad\tneg\nok\tpos\nugly\tneg\n", false)]
    [InlineData("\"Month\",\"Passengers\"\n\"1949-01\",112\n\"1949-02\",118\n", true)]
    public void Header_detection(string text, bool header)
        => Assert.Equal(header, DelimitedFile.LooksLikeHeader(DelimitedFile.Parse(text, "f", out _)));

    [Fact]
    public void A_long_cell_is_read_for_the_header_without_copies()
    {
        // A text of a million characters with a space at its end: trimming it as a string copies 2 MB each time.
        string text = "text\tlabel\n" + string.Concat(Enumerable.Repeat("word ", 200_000)) + "\tpos\nshort\tneg\nok\tpos\nbad\tneg\n";
        var rows = DelimitedFile.Parse(text, "f.tsv", out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool header = DelimitedFile.LooksLikeHeader(rows);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(header);
        Assert.True(allocated < 100_000, $"header detection allocated {allocated:N0} bytes for a cell of {rows[1].Cells[0].Length:N0} characters");
        Assert.False(Numbers.IsMissing(rows[1].Cells[0]));
        Assert.False(Numbers.TryParse(rows[1].Cells[0], out _));
        Assert.True(Numbers.TryParse(" 2.5 ", out double v) && v == 2.5);
        Assert.True(Numbers.IsMissing(" NA "));
    }

    [Fact]
    public void Gaps_are_filled_linearly_and_ends_copy_the_nearest_value()
    {
        var v = new[] { 0, 5, 0, 0, 11, 0 }.Select(x => (double)x).ToArray();
        var observed = new[] { false, true, false, false, true, false };
        SeriesFile.Interpolate(v, observed);
        Assert.Equal(new double[] { 5, 5, 7, 9, 11, 11 }, v);
    }

    [Theory]
    [InlineData("A gorgeous, witty film!", "a|gorgeous|,|witty|film|!")]
    [InlineData("it 's not (that) bad -- don't", "it|'s|not|(|that|)|bad|--|don't")]
    [InlineData("   ", "")]
    public void Tokenizer_splits_words_and_edge_punctuation(string text, string expected)
        => Assert.Equal(expected, string.Join('|', Tokenizer.Tokenize(text)));

    [Theory]
    [InlineData("a b c", 3, "2,3,4")]                 // shorter than the limit: every id
    [InlineData("a b c d e f g", 3, "6,1,1")]         // longer: the last three, in order (f, g unknown)
    [InlineData("x a b c d e", 5, "2,3,4,5,6")]        // the ring wraps at another place (x dropped)
    [InlineData("A\tb\n C", 2, "3,4")]               // any white space, lower-cased per word
    [InlineData("   ", 4, "1")]                        // an empty text still has one (unknown) step
    public void Encoding_a_text_keeps_its_last_max_length_ids_in_order(string text, int maxLength, string expected)
    {
        var encoder = new TextEncoder(Vocabulary.FromTokens(["a", "b", "c", "d", "e"]), maxLength);
        Assert.Equal(expected, string.Join(',', encoder.Encode(text)));
        var tokens = Tokenizer.Tokenize(text);
        if (tokens.Count > 0) Assert.Equal(encoder.Encode(tokens), encoder.Encode(text)); // the list form agrees
    }

    [Theory]
    [InlineData(0, 1, 0, 1)]
    [InlineData(0.37, 4.2, 0, 5)]
    [InlineData(-3, 47, -10, 50)]
    public void Plot_ticks_are_round_numbers_covering_the_range(double min, double max, double first, double last)
    {
        var ticks = SvgPlot.NiceTicks(min, max, 6);
        Assert.InRange(ticks.Length, 3, 12);
        Assert.True(ticks[0] >= first && ticks[^1] <= last, string.Join(", ", ticks));
        double step = ticks[1] - ticks[0];
        double mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(Math.Round(mantissa, 6), new[] { 1, 2, 2.5, 5 });
    }

    [Fact]
    public void Log_plot_skips_non_positive_values_and_escapes_names()
    {
        var svg = new SvgPlot("norms <T>", "t", "norm") { LogY = true }.Add("a&b", new double[] { 1, 2, 3 }, new[] { 1e-6, 0, 1e-2 }).Render();
        Assert.Contains("norms &lt;T&gt;", svg);
        Assert.Contains("a&amp;b", svg);
        Assert.DoesNotContain("NaN", svg);
    }
}
