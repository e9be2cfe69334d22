using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Iam;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Registers a cluster's OIDC issuer as an IAM OIDC identity provider, so that its service accounts can assume IAM
/// roles (IRSA). Idempotent: an existing provider for the issuer is used as it is (sts.amazonaws.com is added to its
/// audiences if missing) and returned. Providers the module creates carry its cluster tag.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "EksOidcProvider", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(EksOidcProvider))]
public sealed class RegisterEksOidcProviderCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter]
    [Alias("Tags")]
    public Hashtable? Tag { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        var clusters = new ClusterService(session);
        var providers = new OidcProviderManager(new IamApi(session));
        try
        {
            var cluster = Run(ct => clusters.Eks.TryDescribeClusterAsync(ClusterName, ct));
            if (cluster is null)
            {
                WriteClusterNotFound(ClusterName, session.Region);
                return;
            }
            var plan = Run(ct => providers.PlanAsync(cluster, ct));
            if (plan.HasWork)
            {
                var what = plan.Exists
                    ? $"Add audience {OidcProviderManager.Audience} to IAM OIDC provider {plan.Arn}"
                    : $"Register the OIDC issuer {plan.Issuer} of cluster '{ClusterName}' as IAM OIDC provider {plan.Arn} (audience {OidcProviderManager.Audience})";
                if (!ShouldProcess(what, what + "?", "Register-EksOidcProvider")) return;
                var tags = Tag?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty) ?? new Dictionary<string, string>();
                Run(ct => providers.EnsureAsync(plan, tags, ct));
            }
            else
            {
                WriteVerbose($"IAM OIDC provider {plan.Arn} is already registered for cluster '{ClusterName}'{(plan.CreatedByModule ? "" : " (not by EksModule, so Remove-EksCluster leaves it)")}.");
            }
            var provider = Run(ct => providers.TryGetAsync(plan.Arn, ct));
            WriteObject(new EksOidcProvider(ClusterName, plan.Issuer, plan.Arn, provider?.ClientIds ?? new[] { OidcProviderManager.Audience },
                provider is null ? plan.CreatedByModule : RoleManager.IsOurs(provider.Tags, ClusterName), session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, ClusterName);
        }
    }
}
