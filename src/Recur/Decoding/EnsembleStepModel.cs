using System.Buffers;

namespace Recur.Decoding;

/// <summary>
/// Several step models over one vocabulary decoded as one: each step runs every member and
/// gives the log of the mean of their next-token probabilities,
/// log p(y) = log (1/M Σ_m p_m(y)), the ensemble decoding of OpenNMT and Marian. Greedy
/// decoding, beam search and sampling take it like any other <see cref="IStepModel{TState}"/>.
/// </summary>
/// <typeparam name="TState">The members' state for a batch of rows.</typeparam>
/// <remarks>
/// The state is one state per member, in the members' order. Members step one after another on
/// the calling thread. The ensemble keeps nothing between calls: it may be used from several
/// threads at once whenever its members may (a server's concurrent batches).
/// </remarks>
public sealed class EnsembleStepModel<TState> : IStepModel<TState[]>
{
    private readonly IStepModel<TState>[] _members;

    /// <summary>The ensemble of <paramref name="members"/> (at least one, all with the same vocabulary size).</summary>
    /// <exception cref="ArgumentException">No member, a null member, or members with different vocabulary sizes.</exception>
    public EnsembleStepModel(IReadOnlyList<IStepModel<TState>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("members is empty; expected at least one step model.", nameof(members));
        for (int m = 0; m < members.Count; m++)
        {
            if (members[m] is null) throw new ArgumentException($"members[{m}] is null; expected a step model.", nameof(members));
            if (members[m].VocabularySize != members[0].VocabularySize)
                throw new ArgumentException(
                    $"members[{m}] has a vocabulary of {members[m].VocabularySize} tokens; expected {members[0].VocabularySize}, as members[0].", nameof(members));
        }
        _members = [.. members];
    }

    /// <summary>Number of members M.</summary>
    public int Count => _members.Length;

    /// <inheritdoc/>
    public int VocabularySize => _members[0].VocabularySize;

    /// <inheritdoc/>
    public int Rows(TState[] state) => _members[0].Rows(Checked(state)[0]);

    /// <inheritdoc/>
    public TState[] Step(ReadOnlySpan<int> previous, TState[] state, Span<float> logProbabilities)
    {
        Checked(state);
        int B = Rows(state), V = VocabularySize, M = _members.Length;
        if (logProbabilities.Length != B * V)
            throw new ArgumentException($"logProbabilities holds {logProbabilities.Length} values; expected {B}×{V}.", nameof(logProbabilities));
        // The members' (M, B, V) log-probabilities, in a buffer of this call's own.
        var members = ArrayPool<float>.Shared.Rent(M * B * V);
        try
        {
            var next = new TState[M];
            for (int m = 0; m < M; m++) next[m] = _members[m].Step(previous, state[m], members.AsSpan(m * B * V, B * V));
            Mean(members.AsSpan(0, M * B * V), M, logProbabilities);
            return next;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(members);
        }
    }

    /// <summary>
    /// log (1/M Σ_m exp(a_m)) of each of the N entries of <paramref name="output"/>, where a_m is
    /// that entry of member m's log-probabilities, <paramref name="members"/> (M, N) row-major;
    /// shifted by the largest a_m and summed in double, so −∞ stays −∞ and nothing overflows.
    /// </summary>
    internal static void Mean(ReadOnlySpan<float> members, int count, Span<float> output)
    {
        int n = output.Length;
        double logCount = Math.Log(count);
        for (int j = 0; j < n; j++)
        {
            float max = float.NegativeInfinity;
            for (int m = 0; m < count; m++) max = Math.Max(max, members[m * n + j]);
            if (float.IsNegativeInfinity(max))
            {
                output[j] = float.NegativeInfinity;
                continue;
            }
            double sum = 0;
            for (int m = 0; m < count; m++) sum += Math.Exp(members[m * n + j] - max);
            output[j] = (float)(max + Math.Log(sum) - logCount);
        }
    }

    /// <inheritdoc/>
    public TState[] SelectRows(TState[] state, ReadOnlySpan<int> rows)
    {
        Checked(state);
        var selected = new TState[_members.Length];
        for (int m = 0; m < _members.Length; m++) selected[m] = _members[m].SelectRows(state[m], rows);
        return selected;
    }

    private TState[] Checked(TState[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != _members.Length)
            throw new ArgumentException($"state holds {state.Length} member states; expected {_members.Length}, one per member.", nameof(state));
        return state;
    }
}
