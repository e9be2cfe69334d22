using System.Text.Json.Nodes;
using EksModule.Engine.Aws;
using EksModule.Engine.Eks;

namespace EksModule.Engine.Iam;

/// <summary>
/// An EKS add-on whose controller calls AWS APIs: the Kubernetes service account it runs as and the AWS managed
/// policies its IAM role needs (names below arn:aws:iam::aws:policy/, path included), from the add-ons' EKS docs.
/// </summary>
public sealed record AddonServiceAccount(string AddonName, string Namespace, string ServiceAccountName, IReadOnlyList<string> ManagedPolicyNames)
{
    public static IReadOnlyList<AddonServiceAccount> Known { get; } = new[]
    {
        new AddonServiceAccount("aws-ebs-csi-driver", "kube-system", "ebs-csi-controller-sa", new[] { "service-role/AmazonEBSCSIDriverPolicy" }),
        new AddonServiceAccount("vpc-cni", "kube-system", "aws-node", new[] { "AmazonEKS_CNI_Policy" }),
    };

    public static AddonServiceAccount? Find(string addonName) => Known.FirstOrDefault(a => a.AddonName == addonName);

    /// <summary>The sub claim of the service account's projected token: system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;.</summary>
    public string Subject => $"system:serviceaccount:{Namespace}:{ServiceAccountName}";

    /// <summary>The role's spec: named eks-&lt;cluster&gt;-&lt;add-on&gt; by RoleManager's scheme, trusting <paramref name="trustPolicy"/>.</summary>
    public RoleSpec RoleSpec(string? trustPolicy = null) => new(
        $"addon-role:{AddonName}", AddonName, null, ManagedPolicyNames,
        $"IRSA role of the EKS add-on {AddonName} ({Namespace}/{ServiceAccountName}), created by EksModule", "-ServiceAccountRoleArn", trustPolicy);

    /// <summary>
    /// IRSA's trust policy: sts:AssumeRoleWithWebIdentity for tokens of the cluster's OIDC provider whose subject is this
    /// service account and whose audience is sts.amazonaws.com (what the EKS pod identity webhook requests).
    /// </summary>
    public string TrustPolicy(string providerArn, string issuerHostPath)
    {
        var document = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Federated"] = providerArn },
                ["Action"] = "sts:AssumeRoleWithWebIdentity",
                ["Condition"] = new JsonObject
                {
                    ["StringEquals"] = new JsonObject
                    {
                        [$"{issuerHostPath}:sub"] = Subject,
                        [$"{issuerHostPath}:aud"] = OidcProviderManager.Audience,
                    },
                },
            }),
        };
        return document.ToJsonString();
    }
}

/// <summary>Everything an add-on's IRSA role needs, planned without writing: the OIDC provider, then the role.</summary>
public sealed record ServiceAccountRolePlan(AddonServiceAccount Addon, OidcProviderPlan Provider, RolePlan Role, string RoleArn, string TrustPolicy)
{
    public RoleSpec RoleSpec => Addon.RoleSpec(TrustPolicy);
}

/// <summary>IAM roles for add-on service accounts (IRSA): the cluster's OIDC provider and one role per add-on.</summary>
public sealed class ServiceAccountRoleService
{
    public ServiceAccountRoleService(AwsSession session)
    {
        var iam = new IamApi(session);
        Roles = new RoleManager(iam, session.Region);
        Providers = new OidcProviderManager(iam);
    }

    public RoleManager Roles { get; }
    public OidcProviderManager Providers { get; }

    public async Task<ServiceAccountRolePlan> PlanAsync(Cluster cluster, AddonServiceAccount addon, CancellationToken ct)
    {
        var provider = await Providers.PlanAsync(cluster, ct).ConfigureAwait(false);
        var trust = addon.TrustPolicy(provider.Arn, provider.HostPath);
        var role = await Roles.PlanAsync(cluster.Name, addon.RoleSpec(trust), ct).ConfigureAwait(false);
        var arnParts = cluster.Arn!.Split(':');
        return new ServiceAccountRolePlan(addon, provider, role, $"arn:{arnParts[1]}:iam::{arnParts[4]}:role/{role.RoleName}", trust);
    }

    /// <summary>Creates the role (or converges its trust policy and policies); returns its ARN.</summary>
    public async Task<string> EnsureRoleAsync(ServiceAccountRolePlan plan, string clusterName, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
        => (await Roles.EnsureAsync(clusterName, plan.RoleSpec, tags, ct).ConfigureAwait(false)).Arn;
}
