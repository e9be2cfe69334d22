using EksModule.Engine.Waiting;

namespace EksModule.Tests.Infrastructure;

/// <summary>A clock that only moves when a waiter sleeps, so waits take no real time and are exact.</summary>
public sealed class InstantClock : IClock
{
    public DateTime UtcNow { get; private set; } = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public List<TimeSpan> Sleeps { get; } = new();

    public Task Delay(TimeSpan delay, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Sleeps.Add(delay);
        UtcNow += delay;
        return Task.CompletedTask;
    }
}
