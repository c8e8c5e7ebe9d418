namespace Recur.Cli.Training;

/// <summary>How a training run ended: rounds logged, the best one (1-based, 0 if none), updates, time, and why it stopped.</summary>
internal sealed record LoopResult(int Rounds, int BestRound, long Steps, double Seconds, bool Interrupted, string StopReason);
