using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Gets the EKS clusters in a region: all of them, or those whose names match.</summary>
[Cmdlet(VerbsCommon.Get, "EksCluster")]
[OutputType(typeof(EksCluster))]
public sealed class GetEksClusterCommand : AwsCmdletBase
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var missing = new List<string>();
        IReadOnlyList<Engine.Eks.Cluster> clusters;
        try
        {
            clusters = Run(ct => new ClusterService(session).GetAsync(Name, missing.Add, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, Name);
            return;
        }
        foreach (var cluster in clusters) WriteObject(new EksCluster(cluster, session.Region));
        foreach (var name in missing) WriteClusterNotFound(name, session.Region);
    }
}
