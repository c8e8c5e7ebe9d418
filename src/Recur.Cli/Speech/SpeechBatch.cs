namespace Recur.Cli.Speech;

/// <summary>
/// Model inputs from utterances: k consecutive 10 ms frames stacked into one step (T → ⌈T/k⌉ steps
/// of k·M features, the last step padded by repeating the final frame), right-padded to the longest
/// item with a mask, and CTC targets (B, S) padded with −1.
/// </summary>
internal static class SpeechBatch
{
    public static int Steps(int frames, int stack) => (frames + stack - 1) / stack;

    /// <summary>x (B, T′, k·M), the mask's lengths, and targets (B, S) (null when <paramref name="labels"/> is null).</summary>
    public static (Tensor X, int[] Lengths, Tensor? Y) Make(IReadOnlyList<SpokenUtterance> utterances, ReadOnlySpan<int> rows, int stack, IReadOnlyList<int[]>? labels)
    {
        int B = rows.Length, M = utterances[rows[0]].Features.Size(1), F = stack * M;
        var lengths = new int[B];
        for (int i = 0; i < B; i++) lengths[i] = Steps(utterances[rows[i]].Frames, stack);
        int T = lengths.Max();
        var x = Tensor.Zeros(B, T, F);
        var xs = x.Span;
        for (int i = 0; i < B; i++)
        {
            var f = utterances[rows[i]].Features.Span; // (frames, M)
            int frames = utterances[rows[i]].Frames;
            for (int t = 0; t < lengths[i]; t++)
                for (int k = 0; k < stack; k++)
                {
                    int source = Math.Min(t * stack + k, frames - 1);
                    f.Slice(source * M, M).CopyTo(xs.Slice(((i * T) + t) * F + k * M, M));
                }
        }
        if (labels is null) return (x, lengths, null);
        int S = 1;
        for (int i = 0; i < B; i++) S = Math.Max(S, labels[rows[i]].Length);
        var y = Tensor.Full(-1f, B, S);
        for (int i = 0; i < B; i++)
            for (int s = 0; s < labels[rows[i]].Length; s++) y.Span[i * S + s] = labels[rows[i]][s];
        return (x, lengths, y);
    }

    /// <summary>Steps CTC needs for a label sequence: one per label and one blank between equal neighbours.</summary>
    public static int MinimumSteps(int[] labels)
    {
        int n = labels.Length;
        for (int i = 1; i < labels.Length; i++) if (labels[i] == labels[i - 1]) n++;
        return n;
    }
}
