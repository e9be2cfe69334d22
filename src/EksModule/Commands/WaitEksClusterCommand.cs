using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>Waits until a cluster is ACTIVE (or deleted), with progress, a timeout and Ctrl+C.</summary>
[Cmdlet(VerbsLifecycle.Wait, "EksCluster")]
[OutputType(typeof(EksCluster))]
public sealed class WaitEksClusterCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>ACTIVE (default) or DELETED.</summary>
    [Parameter]
    [ValidateSet("ACTIVE", "DELETED", IgnoreCase = true)]
    public string Status { get; set; } = "ACTIVE";

    /// <summary>Seconds to wait before giving up (default 1800: EKS creates take 10 to 15 minutes).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    protected override void ProcessRecord()
    {
        var session = Session;
        var service = new ClusterService(session);
        try
        {
            if (Status.Equals("DELETED", StringComparison.OrdinalIgnoreCase))
            {
                Run(ct => service.WaitForDeletionAsync(Name, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
                return;
            }
            var cluster = Run(ct => service.WaitForActiveAsync(Name, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            WriteObject(new EksCluster(cluster, session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, Name);
        }
    }
}
