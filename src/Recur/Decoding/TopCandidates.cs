namespace Recur.Decoding;

/// <summary>The n largest of a set of scores, best first (lower index first on a tie).</summary>
internal sealed class TopCandidates(int capacity)
{
    private readonly int[] _index = new int[capacity];
    private readonly double[] _score = new double[capacity];

    public int Count { get; private set; }

    public int Index(int rank) => _index[rank];

    public double Score(int rank) => _score[rank];

    public void Clear() => Count = 0;

    /// <summary>Offers a candidate; indices must be offered in increasing order for the tie rule to hold.</summary>
    public void Offer(int index, double score)
    {
        if (Count == _index.Length && !(score > _score[Count - 1])) return;
        int at = Count == _index.Length ? Count - 1 : Count++;
        // Insertion: shift worse entries down; an equal score stays ahead (it was offered first).
        while (at > 0 && score > _score[at - 1])
        {
            _index[at] = _index[at - 1];
            _score[at] = _score[at - 1];
            at--;
        }
        _index[at] = index;
        _score[at] = score;
    }
}
