using System.Management.Automation;
using EksModule.Engine.Access;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Lists who may use a cluster's Kubernetes API: its EKS access entries with their access policies, and (on
/// CONFIG_MAP and API_AND_CONFIG_MAP clusters) the mappings in the aws-auth ConfigMap.
/// </summary>
[Cmdlet(VerbsCommon.Get, "EksClusterAccess")]
[OutputType(typeof(EksClusterAccess))]
public sealed class GetEksClusterAccessCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>Only this IAM principal.</summary>
    [Parameter(Position = 1)]
    [Alias("Arn")]
    public string? PrincipalArn { get; set; }

    protected override void ProcessRecord()
    {
        if (PrincipalArn is not null)
        {
            try { ClusterAccessService.ValidatePrincipalArn(PrincipalArn); }
            catch (ArgumentException e) { ThrowTerminatingError(ToErrorRecord(e, PrincipalArn)); }
        }
        var service = new ClusterAccessService(Session);
        try
        {
            var cluster = Run(ct => service.DescribeClusterAsync(ClusterName, ct));
            foreach (var access in Run(ct => service.GetAsync(cluster, PrincipalArn, WarningSink, ct)))
                WriteObject(new EksClusterAccess(access, service.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
