using System.Management.Automation;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Gets the managed node groups of a cluster: all of them, or those whose names match.</summary>
[Cmdlet(VerbsCommon.Get, "EksNodeGroup")]
[OutputType(typeof(EksNodeGroup))]
public sealed class GetEksNodeGroupCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Node group names; wildcards allowed. Not bound from the pipeline, so a piped cluster gives all of its node groups.</summary>
    [Parameter(Position = 1)]
    [Alias("NodegroupName")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var missing = new List<string>();
        IReadOnlyList<Nodegroup> nodegroups;
        try
        {
            nodegroups = Run(ct => new NodeGroupService(session).GetAsync(ClusterName, Name, missing.Add, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
            return;
        }
        foreach (var nodegroup in nodegroups) WriteObject(new EksNodeGroup(nodegroup, session.Region));
        foreach (var name in missing)
        {
            var error = new AwsServiceError("EKS", "DescribeNodegroup", "ResourceNotFoundException",
                $"No node group named '{name}' in cluster '{ClusterName}' ({session.Region}). Run Get-EksNodeGroup -ClusterName {ClusterName} to list its node groups.",
                System.Net.HttpStatusCode.NotFound, null);
            WriteError(new ErrorRecord(error, "ResourceNotFoundException", ErrorCategory.ObjectNotFound, $"{ClusterName}/{name}")
            {
                ErrorDetails = new ErrorDetails(error.Message),
            });
        }
    }
}
