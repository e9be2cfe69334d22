using EksModule.Engine.Waiting;
using FakeClock = EksModule.Tests.Infrastructure.InstantClock;

namespace EksModule.Tests.Engine;

public sealed class WaiterTests
{
    private sealed class Recorder : IProgress<WaitProgress>
    {
        public List<WaitProgress> Reports { get; } = new();
        public void Report(WaitProgress value) => Reports.Add(value);
    }

    private static readonly WaitOptions Options = new(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task ReturnsTheFinalStatusAndReportsEveryPoll()
    {
        var clock = new FakeClock();
        var statuses = new Queue<string>(new[] { "CREATING", "CREATING", "ACTIVE" });
        var progress = new Recorder();
        var status = await new Waiter(clock).WaitAsync("Waiting", "Cluster c",
            _ => Task.FromResult(statuses.Peek() == "ACTIVE" ? PollResult.Finished(statuses.Dequeue()) : PollResult.Pending(statuses.Dequeue())),
            Options, progress, default);

        Assert.Equal("ACTIVE", status);
        Assert.Equal(new[] { "CREATING", "CREATING", "ACTIVE" }, progress.Reports.Select(r => r.Status));
        Assert.True(progress.Reports[^1].Completed);
        Assert.Equal(2, clock.Sleeps.Count);
    }

    [Fact]
    public async Task BacksOffUpToTheCeiling()
    {
        var clock = new FakeClock();
        var polls = 0;
        await new Waiter(clock).WaitAsync("Waiting", "x",
            _ => Task.FromResult(++polls == 12 ? PollResult.Finished("DONE") : PollResult.Pending("WAIT")), Options, null, default);

        Assert.Equal(TimeSpan.FromSeconds(1), clock.Sleeps[0]);
        Assert.True(clock.Sleeps.Zip(clock.Sleeps.Skip(1)).All(p => p.Second >= p.First), "delays never shrink");
        Assert.Equal(TimeSpan.FromSeconds(30), clock.Sleeps.Max());
    }

    [Fact]
    public async Task TimesOutWithTheLastStatusAndWhatToDo()
    {
        var clock = new FakeClock();
        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() => new Waiter(clock).WaitAsync("Waiting for ACTIVE", "Cluster c",
            _ => Task.FromResult(PollResult.Pending("CREATING")), Options with { Timeout = TimeSpan.FromMinutes(2) }, null, default));

        Assert.Equal("CREATING", error.LastStatus);
        Assert.Contains("still CREATING", error.Message);
        Assert.Contains("-Timeout", error.Message);
        // It stops at the deadline rather than sleeping past it.
        Assert.Equal(TimeSpan.FromMinutes(2), clock.Sleeps.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Fact]
    public async Task AFailedStatusEndsTheWaitWithItsMessage()
    {
        var error = await Assert.ThrowsAsync<WaitFailedException>(() => new Waiter(new FakeClock()).WaitAsync("Waiting", "Cluster c",
            _ => Task.FromResult(PollResult.Failed("FAILED", "Cluster c failed: SubnetNotFound")), Options, null, default));
        Assert.Equal("FAILED", error.Status);
        Assert.Contains("SubnetNotFound", error.Message);
    }

    [Fact]
    public async Task CancellationStopsTheWait()
    {
        using var cts = new CancellationTokenSource();
        var polls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Waiter(new FakeClock()).WaitAsync("Waiting", "x", _ =>
        {
            if (++polls == 3) cts.Cancel();
            return Task.FromResult(PollResult.Pending("WAIT"));
        }, Options, null, cts.Token));
        Assert.Equal(3, polls);
    }
}
