namespace EksEmulator.Kube;

/// <summary>
/// A controller that reconciles everything once a second until the emulator stops, as Kubernetes controllers and
/// ipamd resync; a pass that fails is logged and the next pass tries again.
/// </summary>
public abstract class PollingController(TimeProvider clock, ILogger log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected TimeProvider Clock => clock;

    protected ILogger Log => log;

    protected abstract Task ReconcileAsync(CancellationToken cancel);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await ReconcileAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogDebug(e, "{Controller}: reconciliation failed; retrying.", GetType().Name);
            }

            try { await Task.Delay(Interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
