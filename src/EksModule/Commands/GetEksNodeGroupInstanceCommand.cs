using System.Management.Automation;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Gets the EC2 instances behind managed node groups, from their Auto Scaling groups: availability
/// zone, lifecycle and health state, instance type and launch time, sorted by zone so the spread shows.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksNodeGroupInstance")]
[OutputType(typeof(EksNodeGroupInstance))]
public sealed class GetEksNodeGroupInstanceCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Node group names (wildcards allowed); all node groups of the cluster when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? NodegroupName { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var service = new NodeGroupService(session);
        var missing = new List<string>();
        try
        {
            var nodegroups = Run(ct => service.GetAsync(ClusterName, NodegroupName, missing.Add, ct));
            foreach (var nodegroup in nodegroups)
            {
                if (nodegroup.Resources?.AutoScalingGroups is not { Count: > 0 })
                    WriteVerbose($"Node group {ClusterName}/{nodegroup.NodegroupName} ({nodegroup.Status}) has no Auto Scaling group yet.");
                foreach (var instance in Run(ct => service.GetInstancesAsync(nodegroup, ct)))
                    WriteObject(new EksNodeGroupInstance(instance, session.Region));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
            return;
        }
        foreach (var name in missing) WriteNodegroupNotFound(ClusterName, name, session.Region);
    }
}
