using System.Management.Automation;
using EksModule.Engine.Access;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Gives an IAM user or role access to a cluster's Kubernetes API: an EKS access entry with an access policy when the
/// cluster's authenticationMode allows access entries, else a mapping in the aws-auth ConfigMap. Rerunning converges.
/// </summary>
[Cmdlet(VerbsSecurity.Grant, "EksClusterAccess", SupportsShouldProcess = true)]
[OutputType(typeof(EksClusterAccess))]
public sealed class GrantEksClusterAccessCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Arn")]
    public string PrincipalArn { get; set; } = string.Empty;

    [Parameter(Position = 2)]
    [ValidateSet("ClusterAdmin", "Admin", "Edit", "View", "AdminView", IgnoreCase = true)]
    public string? AccessPolicy { get; set; }

    /// <summary>Namespaces (or prefixes ending in *) the access policy is limited to; without it the policy applies cluster-wide.</summary>
    [Parameter]
    [Alias("Namespaces")]
    public string[]? Namespace { get; set; }

    [Parameter]
    [Alias("KubernetesGroups", "Groups")]
    public string[]? KubernetesGroup { get; set; }

    [Parameter]
    public string? Username { get; set; }

    protected override void ProcessRecord()
    {
        ClusterAccessRequest request;
        try { request = ClusterAccessCmdletHelpers.BuildRequest(ClusterName, PrincipalArn, AccessPolicy, Namespace, KubernetesGroup, Username); }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, PrincipalArn));
            return;
        }

        var service = new ClusterAccessService(Session);
        var target = $"{ClusterName}/{PrincipalArn}";
        try
        {
            var cluster = Run(ct => service.DescribeClusterAsync(ClusterName, ct));
            WriteVerbose($"Cluster '{ClusterName}' authenticationMode {ClusterAccessService.AuthenticationMode(cluster)}.");
            var plan = Run(ct => service.PlanGrantAsync(cluster, request, ct));
            if (!plan.HasWork)
                WriteVerbose($"{PrincipalArn} already has the access asked for on cluster '{ClusterName}'; nothing to change.");
            else
            {
                var description = string.Join("; ", plan.Steps);
                if (!ShouldProcess(description, description + "?", "Grant-EksClusterAccess")) return;
                foreach (var step in plan.Steps) WriteVerbose(step);
                Run(plan.ApplyAsync);
            }
            foreach (var access in Run(ct => service.GetAsync(cluster, PrincipalArn, WarningSink, ct, plan.Source)))
                WriteObject(new EksClusterAccess(access, service.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }
}
