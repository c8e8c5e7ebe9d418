using System.Text;
using Recur.Cli.Data;
using Recur.Cli.Tasks;

namespace Recur.Tests.Cli;

/// <summary>
/// Data files a careless or hostile user might give: each ends with exit code 2 and one short
/// line (never the whole offending cell), or is read as its writer meant it.
/// </summary>
public class HostileDataTests
{
    [Fact]
    public void A_cell_of_a_million_quotes_is_read_in_linear_time()
    {
        string cell = "1" + new string('"', 1_000_000);
        var rows = DelimitedFile.Parse("a,b\n" + cell + ",2\n", "q.csv", out _);
        Assert.Equal(cell, rows[1].Cells[0]);
    }

    [Fact]
    public void A_quoted_cell_of_a_million_doubled_quotes_is_read_in_linear_time()
    {
        string cell = "\"" + new string('"', 1_000_000) + "\"";
        var rows = DelimitedFile.Parse("a,b\n" + cell + ",2\n", "q.csv", out _);
        Assert.Equal(new string('"', 500_000), rows[1].Cells[0]);
    }

    [Fact]
    public void Tsv_has_no_quoting_rules_and_csv_keeps_them()
    {
        var tsv = DelimitedFile.Parse("text\tlabel\n\" I love it.  \t1\nsaid \"no\" twice\t0\n\"quoted\"\t1\n", "r.tsv", out char tab);
        Assert.Equal('\t', tab);
        Assert.Equal(new[] { "\" I love it.  ", "1" }, tsv[1].Cells);
        Assert.Equal(new[] { "said \"no\" twice", "0" }, tsv[2].Cells);
        Assert.Equal(new[] { "\"quoted\"", "1" }, tsv[3].Cells);
        Assert.Equal(new[] { 1, 2, 3, 4 }, tsv.Select(r => r.Line));

        var csv = DelimitedFile.Parse("text,label\n\"a, b\",1\n", "r.csv", out char comma);
        Assert.Equal(',', comma);
        Assert.Equal(new[] { "a, b", "1" }, csv[1].Cells);
    }

    [Fact]
    public void A_review_that_opens_with_a_quote_trains()
    {
        using var dir = new TempDir();
        var lines = SmallData.Sentiment(40, 1).Split('\n');
        lines[3] = "\" " + lines[3];
        var train = dir.Write("train.tsv", string.Join('\n', lines));
        CliRun.Of("classify", "--train", train, "--epochs", "1", "--units", "4", "--quiet", "--out", dir.File("run")).ShouldSucceed();
    }

    [Fact]
    public void An_error_quotes_a_huge_cell_only_in_part()
    {
        using var dir = new TempDir();
        var lines = SmallData.Seasonal(30).Split("\r\n");
        lines[16] = "\"m15\",summer," + new string('x', 10_000_000);
        var csv = dir.Write("huge.csv", string.Join("\r\n", lines));
        var run = CliRun.Of("forecast", "--csv", csv, "--window", "4", "--out", dir.File("run"));
        run.ShouldFailWithOneLine("huge.csv line 17", "is not a number", "10,000,000 characters");
        Assert.True(run.Error.Length < 400, $"the message is {run.Error.Length} characters");
    }

    [Fact]
    public void Invalid_utf8_names_its_line()
    {
        using var dir = new TempDir();
        var bytes = Encoding.UTF8.GetBytes(SmallData.Sentiment(20, 1)).ToList();
        int third = bytes.Select((b, i) => (b, i)).Where(x => x.b == '\n').Skip(1).First().i + 1; // start of line 3
        bytes.InsertRange(third, new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }); // Latin-1 "café"
        string train = dir.File("latin1.tsv");
        File.WriteAllBytes(train, bytes.ToArray());
        CliRun.Of("classify", "--train", train, "--out", dir.File("run"))
            .ShouldFailWithOneLine("latin1.tsv line 3", "invalid UTF-8", "0xE9");
        dir.HoldsOnly("latin1.tsv");
    }

    [Fact]
    public void Utf16_with_a_byte_order_mark_is_read()
    {
        using var dir = new TempDir();
        string path = dir.File("u16.tsv");
        File.WriteAllText(path, "text\tlabel\nnaïve\t1\n", new UnicodeEncoding(false, true));
        Assert.Equal("text\tlabel\nnaïve\t1\n", InputFile.ReadText(path, "--train"));
    }

    [Fact]
    public void A_device_of_zeros_is_binary_at_once()
    {
        if (!File.Exists("/dev/zero")) return;
        using var dir = new TempDir();
        CliRun.Of("classify", "--train", "/dev/zero", "--out", dir.File("run")).ShouldFailWithOneLine("/dev/zero line 1", "NUL byte", "binary");
    }

    [Fact]
    public void One_number_written_three_ways_is_refused_not_three_classes()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", "text\tlabel\ngood\t1\nbad\t0\nfine\t1.0\nawful\t0\nsuperb\t01\n");
        CliRun.Of("classify", "--train", train, "--out", dir.File("run"))
            .ShouldFailWithOneLine("labels \"1\" (line 2) and \"1.0\" (line 4) are the same number");
    }

    [Fact]
    public void A_label_column_of_free_text_is_too_many_classes()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("label\ttext\n");
        for (int i = 0; i < Recur.Limits.MaxClasses + 1; i++) sb.Append($"word{i}\tsome text {i}\n");
        var train = dir.Write("train.tsv", sb.ToString());
        CliRun.Of("classify", "--train", train, "--label-column", "1", "--text-column", "0", "--out", dir.File("run"))
            .ShouldFailWithOneLine("distinct labels", "at most 1,000", "--label-column");
    }

    [Fact]
    public void The_default_length_of_one_enormous_text_is_capped()
    {
        Assert.Equal(Recur.Limits.MaxSequenceLength, ClassifyCommand.DefaultMaxLength(new[] { 2_000_000 }));
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(20, 1));
        CliRun.Of("classify", "--train", train, "--max-length", "6000", "--out", dir.File("run"))
            .ShouldFailWithOneLine("--max-length is 6000", "1 to 5,000");
    }

    [Fact]
    public void A_sentence_without_end_is_too_long_to_tag()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder();
        for (int i = 1; i <= Recur.Limits.MaxSequenceLength + 1; i++) sb.Append($"{i}\tw\tw\tNOUN\t_\t_\t0\tdep\t_\t_\n");
        var train = dir.Write("long.conllu", sb.ToString());
        CliRun.Of("tag", "--train", train, "--out", dir.File("run")).ShouldFailWithOneLine("long.conllu line 1", "5,001 words");
    }

    [Fact]
    public void Values_near_the_end_of_double_are_refused()
    {
        using var dir = new TempDir();
        var lines = SmallData.Seasonal(40).Split("\r\n");
        lines[20] = "\"m19\",summer,1.7e308";
        var csv = dir.Write("big.csv", string.Join("\r\n", lines));
        CliRun.Of("forecast", "--csv", csv, "--window", "4", "--out", dir.File("run"))
            .ShouldFailWithOneLine("big.csv line 21", "1.7e308", "beyond");
    }

    [Fact]
    public void A_categorical_feature_with_thousands_of_values_is_refused()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("id,value\n");
        for (int i = 0; i < 3000; i++) sb.Append($"c{i},{100 + i % 12}\n");
        var csv = dir.Write("ids.csv", sb.ToString());
        CliRun.Of("forecast", "--csv", csv, "--target", "value", "--features", "id", "--window", "4", "--out", dir.File("run"))
            .ShouldFailWithOneLine("column id has 3,000 distinct values", "at most 200");
    }

    [Fact]
    public void One_long_training_text_does_not_pad_its_whole_batch()
    {
        // The texts as classify encodes them: 100 of 6 ids and one cut to the longest a model reads.
        var ids = Enumerable.Repeat(new[] { 2, 3, 4, 5, 6, 7 }, 100).Append(Enumerable.Repeat(2, Recur.Limits.MaxSequenceLength).ToArray()).ToList();
        var set = new ClassifyCommand.Encoded(ids, ids.Select((_, i) => i % 2).ToList());
        foreach (var batches in new[] { set.Batches(64, seed: 9), set.Batches(64) })
            Assert.All(batches.GetBatches(0), b => Assert.True(b.Count == 1 || b.X.Length <= Recur.Limits.MaxBatchSteps,
                $"{b.Count} texts padded to {b.X.Size(1)} tokens"));
    }
}
