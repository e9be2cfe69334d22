using System.Management.Automation;
using EksModule.Engine.Monitoring;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Reads who called the EKS API about a cluster, from CloudTrail's event history (LookupEvents, the last
/// 90 days of management events): newest first, optionally within a time window and for some operations.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksApiEvent")]
[OutputType(typeof(EksApiEvent))]
public sealed class GetEksApiEventCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter]
    public DateTime? StartTime { get; set; }

    [Parameter]
    public DateTime? EndTime { get; set; }

    /// <summary>Only these operations (CreateNodegroup, UpdateClusterConfig, ...); case-insensitive.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EventName { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxEvents { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            Engine.Clusters.ClusterValidation.ValidateName(ClusterName, nameof(ClusterName));
            if (StartTime is { } start && EndTime is { } end && start > end)
                throw new Engine.Clusters.InvalidClusterInputException("InvalidTimeRange", $"-StartTime {start:u} is after -EndTime {end:u}; swap them.", nameof(StartTime));
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, ClusterName));
        }

        var session = Session;
        var events = new ApiEvents(session);
        var query = new ApiEventQuery(ClusterName, StartTime, EndTime, EventName, MaxEvents);
        try
        {
            var found = Run(async ct =>
            {
                var list = new List<ClusterApiEvent>();
                await foreach (var apiEvent in events.LookupAsync(query, ct).ConfigureAwait(false)) list.Add(apiEvent);
                return list;
            });
            foreach (var apiEvent in found) WriteObject(new EksApiEvent(apiEvent, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
