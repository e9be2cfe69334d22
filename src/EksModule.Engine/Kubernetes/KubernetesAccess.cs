using System.Security.Cryptography.X509Certificates;
using System.Text;
using EksModule.Engine.Auth;
using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using k8s;

namespace EksModule.Engine.Kubernetes;

/// <summary>
/// The one way the engine reaches a cluster's Kubernetes API: endpoint and CA from DescribeCluster,
/// tokens minted in process with the session's credentials (no kubeconfig, no exec).
/// </summary>
public sealed class KubernetesAccess
{
    private readonly AwsSession _session;
    private readonly EksApi _eks;

    public KubernetesAccess(AwsSession session)
    {
        _session = session;
        _eks = new EksApi(session);
    }

    private readonly Dictionary<string, IKubernetes> _clients = new(StringComparer.Ordinal);

    /// <summary>One client per cluster for the life of this object: DescribeCluster once, tokens minted as they expire.</summary>
    public async Task<IKubernetes> ClientAsync(string clusterName, CancellationToken ct)
    {
        if (!_clients.TryGetValue(clusterName, out var client))
            _clients[clusterName] = client = await ConnectAsync(clusterName, null, ct).ConfigureAwait(false);
        return client;
    }

    public async Task<IKubernetes> ConnectAsync(string clusterName, string? roleArn, CancellationToken ct)
    {
        var cluster = await _eks.DescribeClusterAsync(clusterName, ct).ConfigureAwait(false);
        var tokens = new TokenService(_session);
        return Create(cluster, token => tokens.MintAsync(clusterName, roleArn, token));
    }

    /// <summary>Builds the client for a described cluster; the mint function is called whenever the provider needs a fresh token.</summary>
    public static IKubernetes Create(Cluster cluster, Func<CancellationToken, Task<MintedToken>> mint)
        => new k8s.Kubernetes(Configuration(cluster, mint));

    internal static KubernetesClientConfiguration Configuration(Cluster cluster, Func<CancellationToken, Task<MintedToken>> mint)
    {
        if (string.IsNullOrEmpty(cluster.Endpoint))
            throw new ModuleOperationException("ClusterEndpointNotReady", "ResourceUnavailable",
                $"Cluster '{cluster.Name}' has no API endpoint yet (status {cluster.Status}). Wait for it with Wait-EksCluster -Name {cluster.Name}.");
        var config = new KubernetesClientConfiguration
        {
            Host = cluster.Endpoint,
            TokenProvider = new EksTokenProvider(mint),
        };
        if (cluster.CertificateAuthority?.Data is { Length: > 0 } data)
        {
            var pem = Encoding.UTF8.GetString(Convert.FromBase64String(data));
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            config.SslCaCerts = certificates;
        }
        return config;
    }
}
