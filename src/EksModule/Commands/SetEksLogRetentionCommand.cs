using System.Management.Automation;
using EksModule.Engine.Monitoring;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Sets how long CloudWatch Logs keeps a cluster's control plane logs (/aws/eks/&lt;cluster&gt;/cluster),
/// creating the log group when EKS has not yet. The number of days is checked before any request.
/// </summary>
[Cmdlet(VerbsCommon.Set, "EksLogRetention", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EksLogGroup))]
public sealed class SetEksLogRetentionCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Days")]
    public int RetentionDays { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            Engine.Clusters.ClusterValidation.ValidateName(ClusterName, nameof(ClusterName));
            LogRetention.ValidateDays(RetentionDays);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, ClusterName));
        }

        var session = Session;
        var retention = new LogRetention(session);
        try
        {
            var current = Run(ct => retention.GetAsync(ClusterName, ct));
            if (current.Exists && current.RetentionInDays == RetentionDays)
            {
                WriteVerbose($"{current.LogGroupName} already keeps events for {RetentionDays} days.");
                WriteObject(new EksLogGroup(current, session.Region));
                return;
            }

            var action = $"{(current.Exists ? string.Empty : "Create log group and ")}set retention of {current.LogGroupName} to {RetentionDays} days"
                + $" (now {(current.Exists ? current.RetentionInDays?.ToString() ?? "never expire" : "absent")})";
            if (!ShouldProcess(action, action + "?", "Set-EksLogRetention")) return;
            var updated = Run(ct => retention.SetAsync(ClusterName, RetentionDays, VerboseSink, ct));
            WriteObject(new EksLogGroup(updated, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
