using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Sets a managed node group's minimum, desired and maximum size (UpdateNodegroupConfig) and waits for
/// the update to succeed; sizes not given keep their current value. -EnableClusterAutoscaler adds the
/// cluster-autoscaler discovery tags.
/// </summary>
[Cmdlet(VerbsCommon.Set, "EksNodeGroupScaling", SupportsShouldProcess = true)]
[OutputType(typeof(EksNodeGroup))]
public sealed class SetEksNodeGroupScalingCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("NodegroupName")]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public int MinSize { get; set; }

    [Parameter]
    public int DesiredSize { get; set; }

    [Parameter]
    public int MaxSize { get; set; }

    [Parameter]
    public SwitchParameter EnableClusterAutoscaler { get; set; }

    /// <summary>Writes the node group after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>After the update, wait through the Kubernetes API until exactly the desired number of the node group's nodes are Ready.</summary>
    [Parameter]
    public SwitchParameter WaitForNodes { get; set; }

    /// <summary>Seconds to wait for the update (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    private int? Size(string parameter, int value) => MyInvocation.BoundParameters.ContainsKey(parameter) ? value : null;

    protected override void ProcessRecord()
    {
        var target = $"{ClusterName}/{Name}";
        int? min = Size(nameof(MinSize), MinSize), desired = Size(nameof(DesiredSize), DesiredSize), max = Size(nameof(MaxSize), MaxSize);
        try
        {
            if (min is null && desired is null && max is null && !EnableClusterAutoscaler)
                throw new InvalidClusterInputException("NoScalingChange", "Nothing to change: give -MinSize, -DesiredSize, -MaxSize or -EnableClusterAutoscaler.", nameof(DesiredSize));
            NodeGroupValidation.CheckGivenSizes(min, desired, max);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, target));
        }

        var session = Session;
        var service = new NodeGroupService(session);
        try
        {
            var nodegroup = Run(ct => service.NodeGroups.DescribeNodegroupAsync(ClusterName, Name, ct));
            var current = nodegroup.ScalingConfig ?? new NodegroupScalingConfig();
            if (min is not null || desired is not null || max is not null)
            {
                NodegroupScalingConfig wanted;
                try { wanted = NodeGroupValidation.MergeScaling(current, min, desired, max); }
                catch (ArgumentException e) { ThrowTerminatingError(ToErrorRecord(e, target)); return; }

                if (wanted.MinSize == current.MinSize && wanted.DesiredSize == current.DesiredSize && wanted.MaxSize == current.MaxSize)
                {
                    WriteVerbose($"Node group {target} already has min {current.MinSize} / desired {current.DesiredSize} / max {current.MaxSize}; nothing to update.");
                }
                else
                {
                    var what = $"Scale node group '{Name}' of EKS cluster '{ClusterName}' from min {current.MinSize} / desired {current.DesiredSize} / max {current.MaxSize} " +
                        $"to min {wanted.MinSize} / desired {wanted.DesiredSize} / max {wanted.MaxSize}";
                    if (ShouldProcess(what, what + "?", "Set-EksNodeGroupScaling"))
                    {
                        var update = Run(ct => service.UpdateScalingAsync(ClusterName, Name, wanted, ct));
                        WriteVerbose($"Update {update.Id} is {update.Status}.");
                        if (!NoWait) Run(ct => service.WaitForUpdateAsync(ClusterName, Name, update.Id, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
                    }
                }
            }

            if (EnableClusterAutoscaler && !NodeGroupService.HasAutoscalerTags(nodegroup))
            {
                var what = $"Tag node group '{target}' and its Auto Scaling groups {string.Join(", ", nodegroup.Resources?.AutoScalingGroups ?? new())} for cluster-autoscaler discovery";
                if (ShouldProcess(what, what + "?", "Set-EksNodeGroupScaling")) Run(ct => service.EnableAutoscalerTagsAsync(nodegroup, ct));
            }

            if (WaitForNodes && !IsWhatIf)
            {
                var desiredNow = Run(ct => service.NodeGroups.DescribeNodegroupAsync(ClusterName, Name, ct)).ScalingConfig?.DesiredSize ?? 0;
                var nodes = Run(ct => new NodeReadiness(session).WaitAsync(ClusterName, Name, desiredNow, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
                WriteVerbose($"Node group {target}: {nodes}.");
            }

            if (PassThru) WriteObject(new EksNodeGroup(Run(ct => service.NodeGroups.DescribeNodegroupAsync(ClusterName, Name, ct)), session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
