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
            ? new List<string> { text }
            : InputFile.ReadText(input!, "--input").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        if (texts.Count == 0) throw new InputException($"{input}: no non-blank lines.");
        var trained = TrainedModel.Load(modelPath ?? TrainedModel.Latest(ClassifyCommand.Task), ClassifyCommand.Task, TagCommand.Task);
        var encoder = new TextEncoder(Vocabulary.FromTokens(trained.Strings("vocabulary")), trained.Int("max_length"));
        var labels = trained.Strings("labels");
        bool tagging = trained.Task["task"]!.GetValue<string>() == TagCommand.Task;
        foreach (var t in texts)
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
