using System.Management.Automation;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Clusters;
using EksModule.Engine.NodeNetwork;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Gets, per node of a cluster's managed node groups, what the VPC CNI has to work with: the ENIs attached, the pod
/// IP addresses assigned to them, the pods using them and what is free, and the max pods the instance type allows
/// with and without prefix delegation.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksNodeNetwork")]
[OutputType(typeof(EksNodeNetwork))]
public sealed class GetEksNodeNetworkCommand : AwsCmdletBase
{
    // Held as object, as AwsCmdletBase holds its session: engine types stay out of the cmdlet's fields so that
    // loading the cmdlet type for its metadata does not load the engine.
    private object? _service;
    private object? _serviceSession;
    private readonly HashSet<string> _matchedNodeNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _matchedInstanceIds = new(StringComparer.OrdinalIgnoreCase);
    private bool _searched;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Node group names (wildcards allowed); every node group of the cluster when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NodegroupNameCompleter))]
    public string[]? NodegroupName { get; set; }

    /// <summary>Node names, the EC2 private DNS names (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? NodeName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidatePattern("^i-[0-9a-fA-F]+$")]
    public string[]? InstanceId { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        if (_service is not NodeNetworkService service || !ReferenceEquals(_serviceSession, session))
        {
            // One service per session: instance types, the add-on and the pod count are read once per cluster for the whole pipeline.
            _service = service = new NodeNetworkService(session);
            _serviceSession = session;
        }
        var missing = new List<string>();
        IReadOnlyList<NodeNetworkInfo> nodes;
        try
        {
            var query = new NodeNetworkQuery(ClusterName, NodegroupName, NodeName, InstanceId);
            nodes = Run(ct => service.GetAsync(query, missing.Add, WarningSink, VerboseSink, ct));
        }
        catch (AwsServiceError e) when (e.IsNotFound && e.Operation == "ListNodegroups")
        {
            WriteClusterNotFound(ClusterName, session.Region);
            return;
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
            return;
        }

        _searched = true;
        foreach (var node in nodes)
        {
            if (node.NodeName is not null)
                foreach (var pattern in NodeName ?? []) if (ClusterService.WildcardMatch(pattern, node.NodeName)) _matchedNodeNames.Add(pattern);
            _matchedInstanceIds.Add(node.InstanceId);
            WriteObject(new EksNodeNetwork(node, session.Region));
        }
        foreach (var name in missing) WriteNodegroupNotFound(ClusterName, name, session.Region);
    }

    protected override void EndProcessing()
    {
        // Reported once at the end: with node groups piped in, a node is found in one of them, not in each.
        // Nothing was searched when every record failed (no such cluster): that error has been written already.
        var unmatched = !_searched ? Enumerable.Empty<string>() : (NodeName ?? []).Where(n => !ClusterService.HasWildcard(n) && !_matchedNodeNames.Contains(n))
            .Concat((InstanceId ?? []).Where(id => !_matchedInstanceIds.Contains(id)));
        foreach (var name in unmatched)
        {
            var message = $"No node '{name}' in the node groups searched. Run Get-EksNodeNetwork -ClusterName {ClusterName} (or Get-EksNodeGroupInstance) to list the nodes.";
            WriteError(new ErrorRecord(new ItemNotFoundException(message), "NodeNotFound", ErrorCategory.ObjectNotFound, name)
            { ErrorDetails = new ErrorDetails(message) });
        }
        base.EndProcessing();
    }
}
