using EksModule.Engine.Eks;

namespace EksModule.Types;

/// <summary>
/// An EKS cluster. Property names follow the EKS API (as AWS.Tools.EKS's Amazon.EKS.Model.Cluster
/// does), so scripts written against AWS.Tools keep working; Region, ClusterName and the
/// at-a-glance properties are the module's own.
/// </summary>
public sealed class EksCluster
{
    internal EksCluster(Cluster cluster, string region)
    {
        Name = cluster.Name;
        Arn = cluster.Arn;
        CreatedAt = cluster.CreatedAt?.ToLocalTime();
        Version = cluster.Version;
        Endpoint = cluster.Endpoint;
        RoleArn = cluster.RoleArn;
        ResourcesVpcConfig = cluster.ResourcesVpcConfig;
        KubernetesNetworkConfig = cluster.KubernetesNetworkConfig;
        Logging = cluster.Logging;
        Identity = cluster.Identity;
        Status = cluster.Status;
        CertificateAuthority = cluster.CertificateAuthority;
        ClientRequestToken = cluster.ClientRequestToken;
        PlatformVersion = cluster.PlatformVersion;
        Tags = new Dictionary<string, string>(cluster.Tags);
        EncryptionConfig = cluster.EncryptionConfig;
        Id = cluster.Id;
        Health = cluster.Health;
        AccessConfig = cluster.AccessConfig;
        UpgradePolicy = cluster.UpgradePolicy;
        Region = region;
    }

    public string Name { get; }
    public string? Arn { get; }
    public DateTime? CreatedAt { get; }
    public string? Version { get; }
    public string? Endpoint { get; }
    public string? RoleArn { get; }
    public VpcConfigResponse? ResourcesVpcConfig { get; }
    public KubernetesNetworkConfigResponse? KubernetesNetworkConfig { get; }
    public Logging? Logging { get; }
    public Identity? Identity { get; }
    public string? Status { get; }
    public Certificate? CertificateAuthority { get; }
    public string? ClientRequestToken { get; }
    public string? PlatformVersion { get; }
    public Dictionary<string, string> Tags { get; }
    public List<EncryptionConfig> EncryptionConfig { get; }
    public string? Id { get; }
    public ClusterHealth? Health { get; }
    public AccessConfigResponse? AccessConfig { get; }
    public UpgradePolicyResponse? UpgradePolicy { get; }

    /// <summary>The region the cluster is in; binds to -Region of the next cmdlet in a pipeline.</summary>
    public string Region { get; }

    /// <summary>The cluster's name again, so it binds to -ClusterName of node group, load balancer and kubeconfig cmdlets.</summary>
    public string ClusterName => Name;

    public string? VpcId => ResourcesVpcConfig?.VpcId;
    public IReadOnlyList<string> SubnetIds => ResourcesVpcConfig?.SubnetIds ?? new List<string>();
    public string EnabledLogTypes => Logging is null ? string.Empty : string.Join(",", Logging.EnabledTypes());

    public override string ToString() => Name;
}
