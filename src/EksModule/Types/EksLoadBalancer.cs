using EksModule.Engine.LoadBalancing;

namespace EksModule.Types;

/// <summary>
/// A load balancer a cluster's Service or Ingress owns. LoadBalancerArn (a Classic load balancer's name, which has no
/// ARN) and Region bind by property name to Set-EksDnsRecord; ClusterName, Namespace, ServiceName and IngressName to
/// Remove-EksLoadBalancer.
/// </summary>
public sealed class EksLoadBalancer
{
    internal EksLoadBalancer(ClusterLoadBalancer owned, string region)
    {
        ClusterName = owned.ClusterName;
        Namespace = owned.Namespace;
        ServiceName = owned.ServiceName;
        IngressName = owned.IngressName;
        Type = owned.Type.ToString();
        Scheme = owned.LoadBalancer?.Scheme ?? owned.Scheme;
        DNSName = owned.LoadBalancer?.DnsName ?? owned.Hostname;
        LoadBalancerArn = owned.LoadBalancer?.Identifier;
        LoadBalancerName = owned.LoadBalancer?.Name;
        CanonicalHostedZoneId = owned.LoadBalancer?.CanonicalHostedZoneId;
        State = owned.LoadBalancer?.State ?? (owned.Hostname is null ? "provisioning" : "unknown");
        VpcId = owned.LoadBalancer?.VpcId;
        Listeners = owned.LoadBalancer?.Listeners.Select(l => $"{l.Protocol}:{l.Port}").ToArray() ?? Array.Empty<string>();
        Region = region;
    }

    public string ClusterName { get; }
    public string Namespace { get; }
    /// <summary>The Service of type LoadBalancer (NLB, Classic), or the Service an ALB's Ingress routes to.</summary>
    public string? ServiceName { get; }
    /// <summary>The Ingress that owns an ALB; empty for Services.</summary>
    public string? IngressName { get; }
    /// <summary>Network, Application or Classic.</summary>
    public string Type { get; }
    /// <summary>internet-facing or internal.</summary>
    public string Scheme { get; }
    public string? DNSName { get; }
    /// <summary>The ELBv2 ARN; for a Classic load balancer, its name.</summary>
    public string? LoadBalancerArn { get; }
    public string? LoadBalancerName { get; }
    /// <summary>The Route 53 zone of the load balancer's DNS name (what an alias record points at).</summary>
    public string? CanonicalHostedZoneId { get; }
    /// <summary>active, provisioning, ... as the ELB API reports it; provisioning while the Service has no hostname yet.</summary>
    public string State { get; }
    public string? VpcId { get; }
    /// <summary>Protocol:port of each listener.</summary>
    public string[] Listeners { get; }
    public string Region { get; }
}
