using System.Collections.Concurrent;
using System.Management.Automation;

namespace EksModule.Internal;

/// <summary>
/// Base of every cmdlet: one CancellationTokenSource per invocation (Ctrl+C cancels it), and a
/// pump that runs engine work off the pipeline thread while progress, verbose and warning output
/// it reports is written on the pipeline thread, where PowerShell requires it.
/// </summary>
public abstract class EksCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();
    private BlockingCollection<Action>? _hostQueue;
    private readonly int _activityId = Random.Shared.Next(1, int.MaxValue);

    protected CancellationToken CancellationToken => _cancellation.Token;

    protected override void StopProcessing() => _cancellation.Cancel();

    protected override void EndProcessing() => base.EndProcessing();

    /// <summary>Runs async engine work to completion, pumping host output meanwhile.</summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
        var previous = _hostQueue;
        _hostQueue = queue;
        try
        {
            var task = Task.Run(() => work(_cancellation.Token));
            task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            foreach (var action in queue.GetConsumingEnumerable()) action();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
        finally
        {
            _hostQueue = previous;
        }
    }

    protected void Run(Func<CancellationToken, Task> work) => Run(async ct => { await work(ct).ConfigureAwait(false); return true; });

    /// <summary>Queues host output from any thread; runs it at once when already on the pipeline thread outside a pump.</summary>
    internal void Post(Action action)
    {
        var queue = _hostQueue;
        if (queue is null) { action(); return; }
        try { queue.Add(action); }
        catch (InvalidOperationException) { /* the work finished; late output is dropped */ }
    }

    internal IProgress<string> VerboseSink => new Sink<string>(this, message => WriteVerbose(message));

    internal IProgress<string> WarningSink => new Sink<string>(this, message => WriteWarning(message));

    internal int ActivityId => _activityId;

    internal void WriteProgressRecord(string activity, string status, string? currentOperation, bool completed)
    {
        var record = new ProgressRecord(_activityId, activity, status)
        {
            CurrentOperation = currentOperation,
            RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        WriteProgress(record);
    }

    private sealed class Sink<T> : IProgress<T>
    {
        private readonly EksCmdletBase _owner;
        private readonly Action<T> _write;

        public Sink(EksCmdletBase owner, Action<T> write) => (_owner, _write) = (owner, write);

        public void Report(T value) => _owner.Post(() => _write(value));
    }

    /// <summary>
    /// ShouldProcess, where -Force skips the prompt but never -WhatIf (bound or through $WhatIfPreference).
    /// </summary>
    internal bool ShouldProcessUnlessForced(string what, string question, string caption, bool force)
    {
        if (!force) return ShouldProcess(what, question, caption);
        return !IsWhatIf || ShouldProcess(what);
    }

    /// <summary>Whether this run only previews: -WhatIf bound, or $WhatIfPreference set.</summary>
    internal bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
        ? ((SwitchParameter)bound).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    internal IProgress<T> CreateSink<T>(Action<T> write) => new Sink<T>(this, write);
}
