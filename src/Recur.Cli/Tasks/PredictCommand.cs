using System.CommandLine;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur predict</c>: runs a model from <c>recur classify</c> (prints label and probability)
/// or <c>recur tag</c> (prints word/TAG) on <c>--text</c> or each line of <c>--input</c>.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string?>("--model", "-m") { Description = "model.recur from 'recur classify' or 'recur tag' or its run directory (default: the latest runs/classify-*)", HelpName = "FILE" };
        var text = new Option<string?>("--text", "-t") { Description = "The text to label" };
        var input = new Option<string?>("--input", "-i") { Description = "A file with one text per line", HelpName = "FILE" };
        var command = new Command("predict", "Label texts with a model trained by 'recur classify' (label and probability) or 'recur tag' (a tag per word)") { model, text, input };
        command.SetAction(r => Run(ctx, r.GetValue(model), r.GetValue(text), r.GetValue(input)));
        return command;
    }

    private static int Run(CliContext ctx, string? modelPath, string? text, string? input)
    {
        if ((text is null) == (input is null)) throw new InputException("pass either --text \"...\" or --input FILE.");
        var texts = text is not null
            ? new List<(string Text, int Line)> { (text, 1) }
            : InputFile.ReadText(input!, "--input").Split('\n').Select((l, i) => (Text: l.TrimEnd('\r'), Line: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (texts.Count == 0) throw new InputException($"{input}: no non-blank lines.");
        var trained = TrainedModel.Load(modelPath ?? TrainedModel.Latest(ClassifyCommand.Task), ClassifyCommand.Task, TagCommand.Task);
        // A classifier reads at most the last MaxSequenceLength tokens whatever task.json says; a tagger needs every word.
        var encoder = new TextEncoder(Vocabulary.FromTokens(trained.Strings("vocabulary")), Math.Min(trained.Int("max_length", min: 1), Limits.MaxSequenceLength));
        var labels = trained.Strings("labels");
        bool tagging = trained.TaskName == TagCommand.Task;
        if (tagging && texts.FirstOrDefault(l => Tokenizer.Tokenize(l.Text).Count > Limits.MaxSequenceLength) is { Text: not null } tooLong)
            throw new InputException($"{(input is null ? "--text" : $"{input} line {tooLong.Line}")}: {Tokenizer.Tokenize(tooLong.Text).Count:N0} words; " +
                                     $"recur tags at most {Limits.MaxSequenceLength:N0} at a time.");
        foreach (var (t, _) in texts)
        {
            var tokens = Tokenizer.Tokenize(t);
            if (tagging && tokens.Count == 0) { ctx.Output.WriteLine(); continue; }
            var ids = tagging ? encoder.Vocabulary.Ids(tokens.Select(TagCommand.Key).ToList()) : encoder.Encode(tokens);
            var x = Tensor.FromArray(ids.Select(i => (float)i).ToArray(), 1, ids.Length);
            var logits = trained.Model.PredictOnBatch(x);
            if (tagging)
            {
                var tags = Evaluation.ArgMax(logits);
                ctx.Output.WriteLine(string.Join(' ', tokens.Select((w, i) => $"{w}/{labels[tags[i]]}")));
            }
            else
            {
                var p = Evaluation.Softmax(logits.Span);
                int best = Array.IndexOf(p, p.Max());
                ctx.Output.WriteLine($"{labels[best]}\t{p[best].ToString("0.0000", CultureInfo.InvariantCulture)}\t{t}");
            }
        }
        return CliApp.Success;
    }
}
