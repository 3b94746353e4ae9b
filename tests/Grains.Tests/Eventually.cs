namespace Ledger.Grains.Tests;

/// <summary>Waits for what happens in the background (a sweeper, a resolution) by reading until it shows.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Reads until <paramref name="done"/> holds, and returns what was read; fails past the timeout.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(value), $"Still {value} after {timeout ?? DefaultTimeout}.");
                return value;
            }

            await Task.Delay(50);
        }
    }
}
