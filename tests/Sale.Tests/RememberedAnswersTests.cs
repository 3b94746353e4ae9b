namespace Ledger.Sale.Tests;

public sealed class RememberedAnswersTests
{
    private sealed record Entry(string Answer, bool Settled);

    [Fact]
    public void The_oldest_settled_answers_make_room_and_unsettled_ones_stay()
    {
        var answers = new RememberedAnswers<int, Entry>(e => e.Settled);
        answers.Remember(0, new Entry("in flight", Settled: false));
        for (var key = 1; key <= RememberedAnswers<int, Entry>.AnswersMax; key++)
        {
            answers.Remember(key, new Entry($"answer {key}", Settled: true));
        }

        Assert.Equal(RememberedAnswers<int, Entry>.AnswersMax, answers.Count);
        Assert.True(answers.TryGet(0, out _));
        Assert.False(answers.TryGet(1, out _));
        Assert.True(answers.TryGet(2, out _));
    }

    [Fact]
    public void A_forgotten_key_is_judged_again_and_a_revised_answer_keeps_its_place()
    {
        var answers = new RememberedAnswers<int, Entry>(e => e.Settled);
        answers.Remember(1, new Entry("busy", Settled: true));
        answers.Remember(2, new Entry("confirmed", Settled: true));
        answers.Forget(1);
        Assert.False(answers.TryGet(1, out _));

        answers.Revise((key, entry) => key == 2 ? entry with { Answer = "cancelled" } : null);
        Assert.True(answers.TryGet(2, out var revised));
        Assert.Equal("cancelled", revised.Answer);
    }
}
