using System.Management.Automation;
using EksModule.Engine.Access;
using EksModule.Internal;

namespace EksModule.Commands;

/// <summary>
/// Takes an IAM principal's access to a cluster away: one access policy (-AccessPolicy) or the whole access entry;
/// on a CONFIG_MAP cluster the aws-auth mapping (or only the groups -AccessPolicy/-KubernetesGroup name).
/// Revoking access that is not there is not an error, so a rerun converges.
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "EksClusterAccess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RevokeEksClusterAccessCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Arn")]
    public string PrincipalArn { get; set; } = string.Empty;

    [Parameter(Position = 2)]
    [ValidateSet("ClusterAdmin", "Admin", "Edit", "View", "AdminView", IgnoreCase = true)]
    public string? AccessPolicy { get; set; }

    /// <summary>On a CONFIG_MAP cluster: remove only these groups from the principal's aws-auth mapping.</summary>
    [Parameter]
    [Alias("KubernetesGroups", "Groups")]
    public string[]? KubernetesGroup { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        ClusterAccessRequest request;
        try { request = ClusterAccessCmdletHelpers.BuildRequest(ClusterName, PrincipalArn, AccessPolicy, null, KubernetesGroup, null); }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, PrincipalArn));
            return;
        }

        var service = new ClusterAccessService(Session);
        try
        {
            var cluster = Run(ct => service.DescribeClusterAsync(ClusterName, ct));
            var plan = Run(ct => service.PlanRevokeAsync(cluster, request, ct));
            if (!plan.HasWork)
            {
                WriteVerbose($"{PrincipalArn} has no such access on cluster '{ClusterName}' ({ClusterAccessService.AuthenticationMode(cluster)}); nothing to revoke.");
                return;
            }
            var description = string.Join("; ", plan.Steps);
            if (!ShouldProcessUnlessForced(description, description + "?", "Revoke-EksClusterAccess", Force)) return;
            Run(plan.ApplyAsync);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, $"{ClusterName}/{PrincipalArn}");
        }
    }
}
