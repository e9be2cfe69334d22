using System.Management.Automation;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>Deletes a managed node group (its Auto Scaling group and instances go with it) and waits until it is gone.</summary>
[Cmdlet(VerbsCommon.Remove, "EksNodeGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveEksNodeGroupCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("NodegroupName")]
    public string Name { get; set; } = string.Empty;

    /// <summary>Skips the confirmation prompt.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Seconds to wait for the deletion (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    protected override void ProcessRecord()
    {
        var session = Session;
        var service = new NodeGroupService(session);
        var target = $"{ClusterName}/{Name}";
        try
        {
            var nodegroup = Run(ct => service.NodeGroups.TryDescribeNodegroupAsync(ClusterName, Name, ct));
            if (nodegroup is null)
            {
                WriteNodegroupNotFound(ClusterName, Name, session.Region);
                return;
            }
            var what = $"Delete managed node group '{Name}' of EKS cluster '{ClusterName}' in {session.Region} " +
                $"({nodegroup.ScalingConfig?.DesiredSize} node(s); its Auto Scaling group and instances are terminated)";
            if (!ShouldProcessUnlessForced(what, what + "? This cannot be undone.", "Remove-EksNodeGroup", Force)) return;

            if (nodegroup.Status != "DELETING") Run(ct => service.NodeGroups.DeleteNodegroupAsync(ClusterName, Name, ct));
            else WriteVerbose($"Node group {target} is already being deleted.");
            if (NoWait) return;
            Run(ct => service.WaitForDeletedAsync(ClusterName, new[] { Name }, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
