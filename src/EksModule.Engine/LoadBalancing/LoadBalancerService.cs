using System.Net;
using System.Text.Json;
using EksModule.Engine.Aws;
using EksModule.Engine.Errors;
using EksModule.Engine.Kubernetes;
using EksModule.Engine.Waiting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace EksModule.Engine.LoadBalancing;

/// <summary>
/// Load balancers as EKS makes them: a Service of type LoadBalancer (NLB through the AWS Load Balancer Controller, or
/// the in-tree provider's Classic ELB) or an Ingress of class alb (ALB). The module writes the Kubernetes objects; the
/// controllers in the cluster make the load balancer; the ELB APIs describe it.
/// </summary>
public sealed class LoadBalancerService
{
    public const string ServiceAnnotationPrefix = "service.beta.kubernetes.io/aws-load-balancer-";
    public const string TypeAnnotation = ServiceAnnotationPrefix + "type";
    public const string AlbAnnotationPrefix = "alb.ingress.kubernetes.io/";
    public const string AlbController = "ingress.k8s.aws/alb";
    public const string AlbClassName = "alb";

    private readonly KubernetesAccess _access;

    public LoadBalancerService(AwsSession session)
    {
        _access = new KubernetesAccess(session);
        Elb = new ElbApi(session);
    }

    public ElbApi Elb { get; }

    public Task<IKubernetes> KubernetesAsync(string clusterName, CancellationToken ct) => _access.ClientAsync(clusterName, ct);

    // ---- New-EksLoadBalancer ----

    /// <summary>Reads the cluster (no writes) and returns the writes that would bring it to <paramref name="request"/>.</summary>
    public async Task<LoadBalancerPlan> PlanAsync(LoadBalancerRequest request, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(request.ClusterName, ct).ConfigureAwait(false);
        var ns = request.Namespace;
        var steps = new List<LoadBalancerStep>();
        var service = await TryAsync(() => k8s.CoreV1.ReadNamespacedServiceAsync(request.ServiceName, ns, cancellationToken: ct)).ConfigureAwait(false);
        if (request.ExistingServiceName is not null && service is null)
            throw new ModuleOperationException("ServiceNotFound", "ObjectNotFound",
                $"No Service '{ns}/{request.ExistingServiceName}' in cluster '{request.ClusterName}'. Create it first, or pass -Name, -Selector and -Port to have one created.");

        if (service is not null && KindOf(service) is { } current && request.Type != LoadBalancerType.Application && current != request.Type)
            throw new ModuleOperationException("LoadBalancerTypeChange", "InvalidOperation",
                $"Service '{ns}/{request.ServiceName}' already has a {current} load balancer; changing it to {request.Type} in place would leave the old one " +
                "behind (the controller that made it stops watching the Service, so it is never deleted). Remove it first with " +
                $"Remove-EksLoadBalancer -ClusterName {request.ClusterName} -Namespace {ns} -Name {request.ServiceName}, then run New-EksLoadBalancer again.");

        var wantedAnnotations = ServiceAnnotations(request);
        var wantedType = request.Type switch
        {
            LoadBalancerType.Application => service?.Spec?.Type is { Length: > 0 } existing && request.NewServiceName is null ? existing
                : request.TargetType == "ip" ? "ClusterIP" : "NodePort",
            _ => "LoadBalancer",
        };
        if (service is null)
        {
            var body = NewService(request, wantedType, wantedAnnotations);
            steps.Add(new LoadBalancerStep(
                $"Create Service {ns}/{request.ServiceName} (type {wantedType}, ports {string.Join(",", request.Ports!)}/{request.Protocol}, selector {Describe(request.Selector!)}{DescribeAnnotations(wantedAnnotations)}) in cluster '{request.ClusterName}'",
                c => k8s.CoreV1.CreateNamespacedServiceAsync(body, ns, cancellationToken: c)));
        }
        else
        {
            var patch = new Dictionary<string, object?>();
            var spec = new Dictionary<string, object?>();
            if (service.Spec?.Type != wantedType && (request.Type != LoadBalancerType.Application || wantedType == "NodePort" && service.Spec?.Type == "ClusterIP" && request.TargetType == "instance"))
                spec["type"] = wantedType;
            if (request.NewServiceName is not null)
            {
                if (!SameSelector(service.Spec?.Selector, request.Selector!)) spec["selector"] = request.Selector;
                var ports = Ports(request);
                if (!SamePorts(service.Spec?.Ports, ports)) spec["ports"] = ports.Select(p => new Dictionary<string, object?> { ["name"] = p.Name, ["port"] = p.Port, ["targetPort"] = request.TargetPort ?? p.Port, ["protocol"] = p.Protocol }).ToList();
            }
            var missing = wantedAnnotations.Where(a => service.Metadata?.Annotations?.TryGetValue(a.Key, out var v) != true || v != a.Value)
                .ToDictionary(a => a.Key, a => a.Value);
            if (missing.Count > 0) patch["metadata"] = new Dictionary<string, object?> { ["annotations"] = missing };
            if (spec.Count > 0) patch["spec"] = spec;
            if (patch.Count > 0)
            {
                var what = string.Join(", ", spec.Keys.Select(k => k == "type" ? $"type {service.Spec?.Type} -> {wantedType}" : k)
                    .Concat(missing.Count > 0 ? new[] { "annotations" + DescribeAnnotations(missing) } : Array.Empty<string>()));
                var body = new V1Patch(patch, V1Patch.PatchType.MergePatch);
                steps.Add(new LoadBalancerStep($"Patch Service {ns}/{request.ServiceName} in cluster '{request.ClusterName}': {what}",
                    c => k8s.CoreV1.PatchNamespacedServiceAsync(body, request.ServiceName, ns, cancellationToken: c)));
            }
        }

        if (request.Type == LoadBalancerType.Application) await PlanIngressAsync(k8s, request, service, steps, ct).ConfigureAwait(false);
        return new LoadBalancerPlan(request, steps);
    }

    private static async Task PlanIngressAsync(IKubernetes k8s, LoadBalancerRequest request, V1Service? service, List<LoadBalancerStep> steps, CancellationToken ct)
    {
        var ns = request.Namespace;
        var ingressClass = await TryAsync(() => k8s.NetworkingV1.ReadIngressClassAsync(AlbClassName, cancellationToken: ct)).ConfigureAwait(false);
        if (ingressClass is null)
        {
            var body = new V1IngressClass { Metadata = new V1ObjectMeta { Name = AlbClassName }, Spec = new V1IngressClassSpec { Controller = AlbController } };
            steps.Add(new LoadBalancerStep($"Create IngressClass '{AlbClassName}' (controller {AlbController}) in cluster '{request.ClusterName}'",
                c => k8s.NetworkingV1.CreateIngressClassAsync(body, cancellationToken: c)));
        }
        else if (ingressClass.Spec?.Controller != AlbController)
        {
            throw new ModuleOperationException("IngressClassConflict", "ResourceExists",
                $"IngressClass '{AlbClassName}' in cluster '{request.ClusterName}' belongs to controller '{ingressClass.Spec?.Controller}', not {AlbController}; an Ingress of that class would get no ALB.");
        }

        var port = request.Ports?.FirstOrDefault() ?? service?.Spec?.Ports?.FirstOrDefault()?.Port
            ?? throw new ModuleOperationException("ServiceHasNoPorts", "InvalidData", $"Service '{ns}/{request.ServiceName}' has no ports for the ALB to route to.");
        var annotations = IngressAnnotations(request);
        var ingress = await TryAsync(() => k8s.NetworkingV1.ReadNamespacedIngressAsync(request.ServiceName, ns, cancellationToken: ct)).ConfigureAwait(false);
        if (ingress is null)
        {
            var body = new V1Ingress
            {
                Metadata = new V1ObjectMeta { Name = request.ServiceName, NamespaceProperty = ns, Annotations = annotations.ToDictionary(a => a.Key, a => a.Value) },
                Spec = new V1IngressSpec
                {
                    IngressClassName = AlbClassName,
                    Rules = new List<V1IngressRule>
                    {
                        new() { Http = new V1HTTPIngressRuleValue { Paths = new List<V1HTTPIngressPath>
                        {
                            new() { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = request.ServiceName, Port = new V1ServiceBackendPort { Number = port } } } },
                        } } },
                    },
                },
            };
            steps.Add(new LoadBalancerStep(
                $"Create Ingress {ns}/{request.ServiceName} (class {AlbClassName}, / -> Service {request.ServiceName}:{port}{DescribeAnnotations(annotations)}) in cluster '{request.ClusterName}'",
                c => k8s.NetworkingV1.CreateNamespacedIngressAsync(body, ns, cancellationToken: c)));
            return;
        }

        if (ingress.Spec?.IngressClassName is { } className && className != AlbClassName)
            throw new ModuleOperationException("LoadBalancerTypeChange", "InvalidOperation",
                $"Ingress '{ns}/{request.ServiceName}' already belongs to IngressClass '{className}'; moving it to {AlbClassName} would leave that controller's load balancer behind. Delete the Ingress first.");
        var missing = annotations.Where(a => ingress.Metadata?.Annotations?.TryGetValue(a.Key, out var v) != true || v != a.Value).ToDictionary(a => a.Key, a => a.Value);
        if (missing.Count > 0 || ingress.Spec?.IngressClassName is null)
        {
            var patch = new Dictionary<string, object?> { ["metadata"] = new Dictionary<string, object?> { ["annotations"] = missing } };
            if (ingress.Spec?.IngressClassName is null) patch["spec"] = new Dictionary<string, object?> { ["ingressClassName"] = AlbClassName };
            var body = new V1Patch(patch, V1Patch.PatchType.MergePatch);
            steps.Add(new LoadBalancerStep($"Patch Ingress {ns}/{request.ServiceName} in cluster '{request.ClusterName}':{DescribeAnnotations(missing)}",
                c => k8s.NetworkingV1.PatchNamespacedIngressAsync(body, request.ServiceName, ns, cancellationToken: c)));
        }
    }

    /// <summary>Waits until the Service's or Ingress's status has a hostname and the ELB API knows a load balancer by it.</summary>
    public async Task<ClusterLoadBalancer> WaitForLoadBalancerAsync(LoadBalancerPlan plan, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var request = plan.Request;
        var k8s = await KubernetesAsync(request.ClusterName, ct).ConfigureAwait(false);
        var owner = plan.IngressName is null ? $"Service {request.Namespace}/{request.ServiceName}" : $"Ingress {request.Namespace}/{plan.IngressName}";
        ClusterLoadBalancer? found = null;
        await new Waiter().WaitAsync($"Waiting for the {request.Type} load balancer of {owner}", $"{request.ClusterName}/{request.Namespace}/{request.ServiceName}", async c =>
        {
            var hostname = plan.IngressName is null
                ? Hostname((await k8s.CoreV1.ReadNamespacedServiceAsync(request.ServiceName, request.Namespace, cancellationToken: c).ConfigureAwait(false)).Status?.LoadBalancer)
                : Hostname((await k8s.NetworkingV1.ReadNamespacedIngressAsync(plan.IngressName, request.Namespace, cancellationToken: c).ConfigureAwait(false)).Status?.LoadBalancer);
            if (hostname is null) return PollResult.Pending("no hostname in status yet");
            var lb = await Elb.FindByDnsNameAsync(hostname, c).ConfigureAwait(false);
            if (lb is null) return PollResult.Pending($"{hostname} not yet in the ELB API");
            found = new ClusterLoadBalancer(request.ClusterName, request.Namespace, request.ServiceName, plan.IngressName, request.Type, lb.Scheme, hostname, lb);
            return PollResult.Finished(lb.State);
        }, new WaitOptions(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), progress, ct).ConfigureAwait(false);
        return found!;
    }

    // ---- Get-EksLoadBalancer ----

    /// <summary>The load balancers the cluster's Services of type LoadBalancer and alb Ingresses own, in one namespace or all.</summary>
    public async Task<IReadOnlyList<ClusterLoadBalancer>> ListAsync(string clusterName, string? ns, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(clusterName, ct).ConfigureAwait(false);
        var services = ns is null
            ? await k8s.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
            : await k8s.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
        var ingresses = ns is null
            ? await k8s.NetworkingV1.ListIngressForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
            : await k8s.NetworkingV1.ListNamespacedIngressAsync(ns, cancellationToken: ct).ConfigureAwait(false);
        var albClasses = (await k8s.NetworkingV1.ListIngressClassAsync(cancellationToken: ct).ConfigureAwait(false)).Items
            .Where(c => c.Spec?.Controller == AlbController).Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);

        var owned = new List<(string Ns, string? Service, string? Ingress, LoadBalancerType Type, string Scheme, string? Hostname)>();
        foreach (var s in services.Items.Where(s => s.Spec?.Type == "LoadBalancer"))
            owned.Add((s.Metadata.NamespaceProperty, s.Metadata.Name, null, KindOf(s)!.Value, SchemeOf(s), Hostname(s.Status?.LoadBalancer)));
        foreach (var i in ingresses.Items.Where(i => i.Spec?.IngressClassName is { } c ? albClasses.Contains(c)
                     : i.Metadata.Annotations?.TryGetValue("kubernetes.io/ingress.class", out var legacy) == true && legacy == AlbClassName))
        {
            var backend = i.Spec?.DefaultBackend?.Service?.Name ?? i.Spec?.Rules?.SelectMany(r => r.Http?.Paths ?? new List<V1HTTPIngressPath>()).Select(p => p.Backend?.Service?.Name).FirstOrDefault(n => n is not null);
            var scheme = i.Metadata.Annotations?.TryGetValue(AlbAnnotationPrefix + "scheme", out var s) == true ? s : "internal";
            owned.Add((i.Metadata.NamespaceProperty, backend, i.Metadata.Name, LoadBalancerType.Application, scheme, Hostname(i.Status?.LoadBalancer)));
        }

        if (owned.Count == 0) return Array.Empty<ClusterLoadBalancer>();
        var all = (await Elb.ListV2Async(ct).ConfigureAwait(false)).Concat(await Elb.ListClassicAsync(ct).ConfigureAwait(false)).ToList();
        var result = new List<ClusterLoadBalancer>();
        foreach (var o in owned.OrderBy(o => o.Ns, StringComparer.Ordinal).ThenBy(o => o.Ingress ?? o.Service, StringComparer.Ordinal))
        {
            var lb = o.Hostname is null ? null : all.FirstOrDefault(l => string.Equals(l.DnsName, o.Hostname.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
            if (lb?.Arn is not null) lb = await Elb.TryDescribeV2ByArnAsync(lb.Arn, ct).ConfigureAwait(false) ?? lb;
            result.Add(new ClusterLoadBalancer(clusterName, o.Ns, o.Service, o.Ingress, o.Type, lb?.Scheme ?? o.Scheme, o.Hostname, lb));
        }
        return result;
    }

    // ---- Remove-EksLoadBalancer ----

    /// <summary>Deletes the object that owns the load balancer: the Ingress for an ALB, else the Service (or with keepService, makes it ClusterIP).</summary>
    public async Task ReleaseAsync(ClusterLoadBalancer lb, bool keepService, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(lb.ClusterName, ct).ConfigureAwait(false);
        if (lb.IngressName is not null)
        {
            await IgnoreNotFound(() => k8s.NetworkingV1.DeleteNamespacedIngressAsync(lb.IngressName, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false);
            return;
        }
        if (keepService)
        {
            var patch = new V1Patch(new Dictionary<string, object?> { ["spec"] = new Dictionary<string, object?> { ["type"] = "ClusterIP" } }, V1Patch.PatchType.MergePatch);
            await IgnoreNotFound(() => k8s.CoreV1.PatchNamespacedServiceAsync(patch, lb.ServiceName!, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false);
        }
        else
        {
            await IgnoreNotFound(() => k8s.CoreV1.DeleteNamespacedServiceAsync(lb.ServiceName!, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the ELB API no longer knows these load balancers (the controllers delete them asynchronously).</summary>
    public async Task WaitForGoneAsync(IReadOnlyList<LoadBalancerInfo> loadBalancers, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        if (loadBalancers.Count == 0) return;
        var target = loadBalancers.Count == 1 ? loadBalancers[0].Name : $"{loadBalancers.Count} load balancers";
        await new Waiter().WaitAsync("Waiting for the load balancer(s) to be deleted", target, async c =>
        {
            var left = 0;
            foreach (var lb in loadBalancers)
                if (await Elb.TryDescribeAsync(lb.Identifier, c).ConfigureAwait(false) is not null) left++;
            return left == 0 ? PollResult.Finished("deleted") : PollResult.Pending($"{left} still present");
        }, new WaitOptions(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), progress, ct).ConfigureAwait(false);
    }

    // ---- shapes ----

    /// <summary>Which kind of load balancer a Service asks for, or null when it is not of type LoadBalancer.</summary>
    public static LoadBalancerType? KindOf(V1Service service)
    {
        if (service.Spec?.Type != "LoadBalancer") return null;
        var type = service.Metadata?.Annotations?.TryGetValue(TypeAnnotation, out var t) == true ? t : null;
        return type is "external" or "nlb" or "nlb-ip" || service.Spec?.LoadBalancerClass == "service.k8s.aws/nlb" ? LoadBalancerType.Network : LoadBalancerType.Classic;
    }

    private static string SchemeOf(V1Service service)
    {
        var annotations = service.Metadata?.Annotations ?? new Dictionary<string, string>();
        if (annotations.TryGetValue(ServiceAnnotationPrefix + "scheme", out var scheme)) return scheme;
        return annotations.TryGetValue(ServiceAnnotationPrefix + "internal", out var isInternal) && isInternal != "false" ? "internal" : "internet-facing";
    }

    public static Dictionary<string, string> ServiceAnnotations(LoadBalancerRequest request)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (request.Type)
        {
            case LoadBalancerType.Network:
                annotations[TypeAnnotation] = "external";
                annotations[ServiceAnnotationPrefix + "nlb-target-type"] = request.TargetType;
                annotations[ServiceAnnotationPrefix + "scheme"] = request.Scheme;
                break;
            case LoadBalancerType.Classic when request.Scheme == "internal":
                annotations[ServiceAnnotationPrefix + "internal"] = "true";
                break;
        }
        if (request.Type != LoadBalancerType.Application && request.CertificateArn is { } certificate)
        {
            annotations[ServiceAnnotationPrefix + "ssl-cert"] = certificate;
            annotations[ServiceAnnotationPrefix + "ssl-ports"] = request.Ports is { Count: > 0 } ports ? string.Join(",", ports) : "443";
        }
        if (request.Type != LoadBalancerType.Application && request.Annotations is not null)
            foreach (var (key, value) in request.Annotations) annotations[key] = value;
        return annotations;
    }

    public static Dictionary<string, string> IngressAnnotations(LoadBalancerRequest request)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AlbAnnotationPrefix + "scheme"] = request.Scheme,
            [AlbAnnotationPrefix + "target-type"] = request.TargetType,
        };
        if (request.CertificateArn is { } certificate)
        {
            annotations[AlbAnnotationPrefix + "certificate-arn"] = certificate;
            annotations[AlbAnnotationPrefix + "listen-ports"] = "[{\"HTTPS\":443}]";
        }
        if (request.Annotations is not null)
            foreach (var (key, value) in request.Annotations) annotations[key] = value;
        return annotations;
    }

    private static List<V1ServicePort> Ports(LoadBalancerRequest request) => request.Ports!.Select(p => new V1ServicePort
    {
        Name = $"{request.Protocol.ToLowerInvariant()}-{p}",
        Port = p,
        TargetPort = (IntOrString)(request.TargetPort ?? p),
        Protocol = request.Protocol,
    }).ToList();

    private static V1Service NewService(LoadBalancerRequest request, string type, Dictionary<string, string> annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = request.ServiceName, NamespaceProperty = request.Namespace, Annotations = annotations.Count > 0 ? annotations : null },
        Spec = new V1ServiceSpec { Type = type, Selector = request.Selector!.ToDictionary(s => s.Key, s => s.Value), Ports = Ports(request) },
    };

    private static bool SameSelector(IDictionary<string, string>? current, IReadOnlyDictionary<string, string> wanted)
        => current is not null && current.Count == wanted.Count && wanted.All(w => current.TryGetValue(w.Key, out var v) && v == w.Value);

    private static bool SamePorts(IList<V1ServicePort>? current, List<V1ServicePort> wanted)
        => current is not null && current.Count == wanted.Count && wanted.All(w => current.Any(c =>
            c.Port == w.Port && (c.Protocol ?? "TCP") == w.Protocol && (c.TargetPort?.Value ?? c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) == w.TargetPort.Value));

    private static string? Hostname(V1LoadBalancerStatus? status) => status?.Ingress?.FirstOrDefault(i => !string.IsNullOrEmpty(i.Hostname))?.Hostname;
    private static string? Hostname(V1IngressLoadBalancerStatus? status) => status?.Ingress?.FirstOrDefault(i => !string.IsNullOrEmpty(i.Hostname))?.Hostname;

    private static string Describe(IReadOnlyDictionary<string, string> map) => string.Join(",", map.Select(m => $"{m.Key}={m.Value}"));

    private static string DescribeAnnotations(IReadOnlyDictionary<string, string> annotations)
        => annotations.Count == 0 ? string.Empty : "; annotations " + string.Join(", ", annotations.Select(a => $"{a.Key}: {a.Value}"));

    private static async Task<T?> TryAsync<T>(Func<Task<T>> read) where T : class
    {
        try { return await read().ConfigureAwait(false); }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    private static async Task IgnoreNotFound<T>(Func<Task<T>> write)
    {
        try { await write().ConfigureAwait(false); }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound) { }
    }
}
