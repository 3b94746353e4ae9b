namespace Ledger.Sale;

/// <summary>
/// The answers a citizen's recent keys got, so that a double tap or a retry gets the same one: at most
/// <see cref="AnswersMax"/>, the oldest settled ones forgotten first. An answer still being worked out is
/// never forgotten for room (its callers share it); past the bound, only settled ones make room.
/// </summary>
/// <param name="isSettled">Whether an answer is final and may be forgotten to make room.</param>
public sealed class RememberedAnswers<TKey, TAnswer>(Func<TAnswer, bool> isSettled)
    where TKey : notnull
{
    /// <summary>Answers remembered; the oldest settled ones are forgotten first.</summary>
    public const int AnswersMax = 64;

    private readonly Dictionary<TKey, TAnswer> answers = [];
    private readonly LinkedList<TKey> order = new();

    public int Count => answers.Count;

    public bool TryGet(TKey key, out TAnswer answer) => answers.TryGetValue(key, out answer!);

    public void Remember(TKey key, TAnswer answer)
    {
        if (answers.ContainsKey(key))
        {
            order.Remove(key);
        }

        answers[key] = answer;
        order.AddLast(key);
        for (var node = order.First; node is not null && answers.Count > AnswersMax;)
        {
            var next = node.Next;
            if (isSettled(answers[node.Value]))
            {
                answers.Remove(node.Value);
                order.Remove(node);
            }

            node = next;
        }
    }

    public void Forget(TKey key)
    {
        if (answers.Remove(key))
        {
            order.Remove(key);
        }
    }

    /// <summary>Replaces each remembered answer that <paramref name="revise"/> returns a new one for, keeping its place.</summary>
    public void Revise(Func<TKey, TAnswer, TAnswer?> revise)
    {
        foreach (var (key, answer) in answers.ToArray())
        {
            if (revise(key, answer) is { } revised)
            {
                answers[key] = revised;
            }
        }
    }
}
