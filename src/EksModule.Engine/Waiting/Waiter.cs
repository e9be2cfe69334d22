namespace EksModule.Engine.Waiting;

/// <summary>What one poll saw: whether the wait is over, and the AWS status to show meanwhile.</summary>
public readonly record struct PollResult(bool Done, string Status, string? FailureMessage = null)
{
    public static PollResult Finished(string status) => new(true, status);
    public static PollResult Pending(string status) => new(false, status);
    public static PollResult Failed(string status, string message) => new(true, status, message);
}

/// <summary>Progress of a wait, for Write-Progress.</summary>
public sealed record WaitProgress(string Activity, string Target, string Status, TimeSpan Elapsed, TimeSpan Timeout, bool Completed = false);

public sealed record WaitOptions(TimeSpan Timeout, TimeSpan InitialDelay, TimeSpan MaxDelay)
{
    /// <summary>Poll quickly at first (creates often finish sooner on retries/reruns), then back off towards EKS's 30 s waiter interval.</summary>
    public static WaitOptions ForEks(TimeSpan timeout) => new(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
}

public interface IClock
{
    DateTime UtcNow { get; }
    Task Delay(TimeSpan delay, CancellationToken ct);
}

public sealed class SystemClock : IClock
{
    public static readonly SystemClock Instance = new();
    public DateTime UtcNow => DateTime.UtcNow;
    public Task Delay(TimeSpan delay, CancellationToken ct) => Task.Delay(delay, ct);
}

public sealed class WaitTimeoutException : TimeoutException
{
    public WaitTimeoutException(string message, string lastStatus) : base(message) => LastStatus = lastStatus;
    public string LastStatus { get; }
}

public sealed class WaitFailedException : Exception
{
    public WaitFailedException(string message, string status) : base(message) => Status = status;
    public string Status { get; }
}

/// <summary>The module's one waiter: polls with backoff, reports progress, honours timeout and cancellation.</summary>
public sealed class Waiter
{
    private readonly IClock _clock;

    public Waiter(IClock? clock = null) => _clock = clock ?? SystemClock.Instance;

    /// <summary>Set by tests and the emulator-driven demo to shorten the backoff ceiling.</summary>
    public static TimeSpan? MaxDelayOverride { get; set; }

    public async Task<string> WaitAsync(string activity, string target, Func<CancellationToken, Task<PollResult>> poll,
        WaitOptions options, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var start = _clock.UtcNow;
        var delay = options.InitialDelay;
        var maxDelay = MaxDelayOverride ?? options.MaxDelay;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var result = await poll(ct).ConfigureAwait(false);
            var elapsed = _clock.UtcNow - start;
            progress?.Report(new WaitProgress(activity, target, result.Status, elapsed, options.Timeout, result.Done));
            if (result.Done)
            {
                if (result.FailureMessage is not null) throw new WaitFailedException(result.FailureMessage, result.Status);
                return result.Status;
            }
            if (elapsed >= options.Timeout)
                throw new WaitTimeoutException(
                    $"{target} is still {result.Status} after {FormatDuration(elapsed)} ({activity}). It may still finish: rerun with a longer -Timeout, or check later.",
                    result.Status);
            var remaining = options.Timeout - elapsed;
            var wait = delay < remaining ? delay : remaining;
            if (wait > TimeSpan.Zero) await _clock.Delay(wait, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(maxDelay.Ticks, (long)(delay.Ticks * 1.6)));
        }
    }

    public static string FormatDuration(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m {t.Seconds:00}s"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m {t.Seconds:00}s" : $"{t.Seconds}s";
}
