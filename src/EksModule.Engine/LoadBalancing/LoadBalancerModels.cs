namespace EksModule.Engine.LoadBalancing;

public enum LoadBalancerType { Network, Application, Classic }

/// <summary>What New-EksLoadBalancer was asked for. Scheme and TargetType are the AWS spellings (internet-facing/internal, instance/ip).</summary>
public sealed record LoadBalancerRequest(
    string ClusterName,
    string Namespace,
    string? ExistingServiceName,
    string? NewServiceName,
    IReadOnlyDictionary<string, string>? Selector,
    IReadOnlyList<int>? Ports,
    int? TargetPort,
    string Protocol,
    LoadBalancerType Type,
    string Scheme,
    string TargetType,
    string? CertificateArn,
    IReadOnlyDictionary<string, string>? Annotations)
{
    public string ServiceName => ExistingServiceName ?? NewServiceName!;
}

/// <summary>One Kubernetes write New-EksLoadBalancer would make, described for ShouldProcess.</summary>
public sealed record LoadBalancerStep(string Description, Func<CancellationToken, Task> Apply);

/// <summary>The Kubernetes writes that bring a cluster to the wanted load balancer (empty when it is already there).</summary>
public sealed record LoadBalancerPlan(LoadBalancerRequest Request, IReadOnlyList<LoadBalancerStep> Steps)
{
    /// <summary>The object whose status carries the hostname: the Ingress for an ALB, else the Service.</summary>
    public string? IngressName => Request.Type == LoadBalancerType.Application ? Request.ServiceName : null;
}

/// <summary>
/// How Remove-EksLoadBalancer releases one load balancer: the Kubernetes writes, described for ShouldProcess, and whether
/// the load balancer stays (a Service or Ingress restored to a state that already had one).
/// </summary>
public sealed record LoadBalancerRelease(string Description, Func<CancellationToken, Task> Apply, bool LoadBalancerStays);

/// <summary>A load balancer a cluster's Service or Ingress owns, with what the ELB API says about it (null while provisioning).</summary>
public sealed record ClusterLoadBalancer(
    string ClusterName,
    string Namespace,
    string? ServiceName,
    string? IngressName,
    LoadBalancerType Type,
    string Scheme,
    string? Hostname,
    LoadBalancerInfo? LoadBalancer);
