using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;

namespace EksModule.Engine.Iam;

/// <summary>
/// What registering a cluster's OIDC issuer would do. <see cref="Arn"/> is known before the provider exists (IAM names
/// it after the issuer), so a -WhatIf plan can already write it into trust policies.
/// </summary>
public sealed record OidcProviderPlan(string ClusterName, string Issuer, string Arn, bool Exists, bool CreatedByModule, bool NeedsAudience)
{
    /// <summary>The issuer without https://, as IAM stores it and as trust policy condition keys start.</summary>
    public string HostPath => OidcProviderManager.HostPath(Issuer);

    public bool HasWork => !Exists || NeedsAudience;
}

/// <summary>
/// The IAM OIDC identity provider for a cluster's service account issuer (IRSA), made idempotently: IAM keeps one
/// provider per issuer URL per account, so an existing one (made by eksctl, the console or this module) is used as it
/// is, with sts.amazonaws.com added to its audiences if missing. Providers the module creates carry its cluster tag,
/// which is how Remove-EksCluster -IncludeNetwork finds them again.
/// </summary>
public sealed class OidcProviderManager
{
    public const string Audience = "sts.amazonaws.com";
    public const string Component = "oidc-provider";
    private readonly IamApi _iam;

    public OidcProviderManager(IamApi iam) => _iam = iam;

    public static string HostPath(string issuer) =>
        issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? issuer["https://".Length..].TrimEnd('/') : issuer.TrimEnd('/');

    /// <summary>arn:&lt;partition&gt;:iam::&lt;account&gt;:oidc-provider/&lt;issuer host and path&gt;, taking partition and account from the cluster ARN.</summary>
    public static string ProviderArn(string clusterArn, string issuer)
    {
        var parts = clusterArn.Split(':');
        if (parts.Length < 6 || parts[0] != "arn")
            throw new ModuleOperationException("UnexpectedClusterArn", "InvalidData", $"'{clusterArn}' is not an EKS cluster ARN; cannot tell the account the OIDC provider belongs to.");
        return $"arn:{parts[1]}:iam::{parts[4]}:oidc-provider/{HostPath(issuer)}";
    }

    public static string IssuerOf(Cluster cluster) =>
        cluster.Identity?.Oidc?.Issuer is { Length: > 0 } issuer ? issuer
        : throw new ModuleOperationException("ClusterHasNoOidcIssuer", "ResourceUnavailable",
            $"Cluster '{cluster.Name}' reports no OIDC issuer (status {cluster.Status}); EKS publishes it once the cluster is ACTIVE. Wait with Wait-EksCluster -Name {cluster.Name}.");

    /// <summary>Read-only: finds the provider for the cluster's issuer and says what registering it would change.</summary>
    public async Task<OidcProviderPlan> PlanAsync(Cluster cluster, CancellationToken ct)
    {
        var issuer = IssuerOf(cluster);
        var wantedArn = ProviderArn(cluster.Arn!, issuer);
        var suffix = ":oidc-provider/" + HostPath(issuer);
        var arn = (await _iam.ListOpenIdConnectProviderArnsAsync(ct).ConfigureAwait(false))
            .FirstOrDefault(a => a.EndsWith(suffix, StringComparison.Ordinal));
        var provider = arn is null ? null : await _iam.TryGetOpenIdConnectProviderAsync(arn, ct).ConfigureAwait(false);
        return Plan(cluster.Name, issuer, wantedArn, provider);
    }

    public static OidcProviderPlan Plan(string clusterName, string issuer, string wantedArn, OidcProvider? existing) =>
        existing is null
            ? new OidcProviderPlan(clusterName, issuer, wantedArn, false, true, false)
            : new OidcProviderPlan(clusterName, issuer, existing.Arn, true, RoleManager.IsOurs(existing.Tags, clusterName), !existing.ClientIds.Contains(Audience));

    public Task<OidcProvider?> TryGetAsync(string arn, CancellationToken ct) => _iam.TryGetOpenIdConnectProviderAsync(arn, ct);

    /// <summary>Carries out a plan; returns the provider's ARN.</summary>
    public async Task<string> EnsureAsync(OidcProviderPlan plan, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (!plan.Exists)
        {
            var allTags = new Dictionary<string, string>(tags) { [RoleManager.ClusterTag] = plan.ClusterName, [RoleManager.ComponentTag] = Component };
            try
            {
                return await _iam.CreateOpenIdConnectProviderAsync("https://" + plan.HostPath, new[] { Audience }, allTags, ct).ConfigureAwait(false);
            }
            catch (AwsServiceError e) when (e.ErrorCode == "EntityAlreadyExists")
            {
                // Registered between our read and our write (a parallel run): it is the same issuer, so use it.
                return plan.Arn;
            }
        }
        if (plan.NeedsAudience) await _iam.AddClientIdToOpenIdConnectProviderAsync(plan.Arn, Audience, ct).ConfigureAwait(false);
        return plan.Arn;
    }

    /// <summary>
    /// Deletes the providers this module created for the cluster (its tag, an EKS issuer of this region); providers
    /// made by others are left alone. Returns the ARNs deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteForClusterAsync(string clusterName, string region, CancellationToken ct)
    {
        var deleted = new List<string>();
        var marker = $":oidc-provider/oidc.eks.{region}.amazonaws.com/";
        foreach (var arn in await _iam.ListOpenIdConnectProviderArnsAsync(ct).ConfigureAwait(false))
        {
            if (!arn.Contains(marker, StringComparison.Ordinal)) continue;
            var provider = await _iam.TryGetOpenIdConnectProviderAsync(arn, ct).ConfigureAwait(false);
            if (provider is null || !RoleManager.IsOurs(provider.Tags, clusterName)) continue;
            await _iam.DeleteOpenIdConnectProviderAsync(arn, ct).ConfigureAwait(false);
            deleted.Add(arn);
        }
        return deleted;
    }
}
