namespace Recur.Cli.Speech;

/// <summary>One recording: its transcript ("3 1 4"), who spoke it, its condition ("clean", "pink-10dB") and its (T, M) log-mel features.</summary>
internal sealed record SpokenUtterance(string Transcript, string Voice, string Condition, Tensor Features)
{
    public int Frames => Features.Size(0);
}
