using System.CommandLine;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Prediction;

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
        if (trained.TaskName == TagCommand.Task)
        {
            if (texts.FirstOrDefault(l => Tokenizer.Tokenize(l.Text).Count > Limits.MaxSequenceLength) is { Text: not null } tooLong)
                throw new InputException($"{(input is null ? "--text" : $"{input} line {tooLong.Line}")}: {Tokenizer.Tokenize(tooLong.Text).Count:N0} words; " +
                                         $"recur tags at most {Limits.MaxSequenceLength:N0} at a time.");
            var tagger = new Tagger(trained);
            foreach (var (t, _) in texts)
            {
                var (words, tags) = tagger.Tag([t])[0];
                ctx.Output.WriteLine(string.Join(' ', words.Select((w, i) => $"{w}/{tags[i]}")));
            }
        }
        else
        {
            var classifier = new TextClassifier(trained);
            foreach (var (t, _) in texts)
            {
                var scores = classifier.Classify([t])[0];
                ctx.Output.WriteLine($"{scores.Label}\t{scores.Probability.ToString("0.0000", CultureInfo.InvariantCulture)}\t{t}");
            }
        }
        return CliApp.Success;
    }
}
