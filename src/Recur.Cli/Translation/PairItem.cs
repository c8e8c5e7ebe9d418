namespace Recur.Cli.Translation;

/// <summary>
/// One source and every acceptable target for it, as token strings (a word with several
/// pronunciations, a sentence with several translations). Training uses every target; a
/// prediction is right when it equals any of them.
/// </summary>
internal sealed record PairItem(string[] Source, IReadOnlyList<string[]> Targets);
