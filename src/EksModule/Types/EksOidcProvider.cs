namespace EksModule.Types;

/// <summary>
/// The IAM OIDC identity provider that lets a cluster's service accounts assume IAM roles (IRSA). CreatedByModule
/// says whether Remove-EksCluster -IncludeNetwork will delete it; one registered by other tools is left alone.
/// </summary>
public sealed class EksOidcProvider
{
    internal EksOidcProvider(string clusterName, string issuer, string arn, IReadOnlyList<string> clientIds, bool createdByModule, string region)
    {
        ClusterName = clusterName;
        Issuer = issuer;
        Arn = arn;
        ClientIds = clientIds.ToArray();
        CreatedByModule = createdByModule;
        Region = region;
    }

    public string ClusterName { get; }
    /// <summary>The cluster's issuer URL (DescribeCluster identity.oidc.issuer).</summary>
    public string Issuer { get; }
    public string Arn { get; }
    /// <summary>The audiences IAM accepts tokens for; sts.amazonaws.com is the one IRSA uses.</summary>
    public string[] ClientIds { get; }
    public bool CreatedByModule { get; }
    public string Region { get; }

    public override string ToString() => Arn;
}
