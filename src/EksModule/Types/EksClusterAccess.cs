using EksModule.Engine.Access;

namespace EksModule.Types;

/// <summary>An access policy associated with an access entry, and where it applies.</summary>
public sealed class EksAccessPolicyAssociation
{
    internal EksAccessPolicyAssociation(AssociatedAccessPolicy policy)
    {
        PolicyArn = policy.PolicyArn;
        AccessPolicy = AccessPolicyNames.ShortName(policy.PolicyArn);
        ScopeType = policy.AccessScope.Type;
        Namespaces = policy.AccessScope.Namespaces.ToArray();
        AssociatedAt = policy.AssociatedAt?.ToLocalTime();
    }

    /// <summary>ClusterAdmin, Admin, Edit, View or AdminView (the ARN for a policy without a short name).</summary>
    public string AccessPolicy { get; }
    public string PolicyArn { get; }

    /// <summary>cluster or namespace.</summary>
    public string ScopeType { get; }
    public string[] Namespaces { get; }
    public DateTime? AssociatedAt { get; }

    public override string ToString() => ScopeType == "namespace" ? $"{AccessPolicy} (namespace: {string.Join(", ", Namespaces)})" : $"{AccessPolicy} (cluster)";
}

/// <summary>
/// An IAM principal's access to an EKS cluster, from one source: an EKS access entry (Source AccessEntry) or a
/// mapping in the aws-auth ConfigMap (Source AwsAuth). ClusterName, PrincipalArn and Region bind to the next
/// access cmdlet in a pipeline (Get-EksClusterAccess | Revoke-EksClusterAccess).
/// </summary>
public sealed class EksClusterAccess
{
    internal EksClusterAccess(ClusterAccessInfo info, string region)
    {
        ClusterName = info.ClusterName;
        PrincipalArn = info.PrincipalArn;
        Source = info.Source;
        Username = info.Username;
        KubernetesGroups = info.KubernetesGroups.ToArray();
        AccessPolicies = info.AccessPolicies.Select(p => new EksAccessPolicyAssociation(p)).ToArray();
        Region = region;
    }

    public string ClusterName { get; }
    public string PrincipalArn { get; }

    /// <summary>AccessEntry or AwsAuth.</summary>
    public string Source { get; }
    public string? Username { get; }
    public string[] KubernetesGroups { get; }
    public EksAccessPolicyAssociation[] AccessPolicies { get; }
    public string Region { get; }
}
