using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    // What the module did to a Service or Ingress, so that Remove-EksLoadBalancer undoes only that: a label (selectable
    // with kubectl -l) that says created or patched, and on a patched object the values its patches replaced.
    public const string ManagedByLabel = "eksmodule.io/managed-by";
    public const string PreviousAnnotation = "eksmodule.io/previous";
    public const string CreatedMark = "created";
    public const string PatchedMark = "patched";
    private const string OtherManagerLabel = "app.kubernetes.io/managed-by";
    private const string LegacyIngressClassAnnotation = "kubernetes.io/ingress.class";
    private static readonly string[] RestorableServiceFields = { "type", "selector", "ports" };
    private static readonly string[] RestorableIngressFields = { "ingressClassName" };

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
                var previousSpec = spec.Keys.ToDictionary(k => k, k => k switch
                {
                    "type" => JsonValue.Create(service.Spec?.Type),
                    "selector" => ToJson(service.Spec?.Selector),
                    _ => ToJson(service.Spec?.Ports),
                });
                what += MarkPatched(patch, service.Metadata, previousSpec, missing.Keys);
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
                Metadata = new V1ObjectMeta
                {
                    Name = request.ServiceName, NamespaceProperty = ns, Annotations = annotations.ToDictionary(a => a.Key, a => a.Value),
                    Labels = new Dictionary<string, string> { [ManagedByLabel] = CreatedMark },
                },
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
            var previousSpec = new Dictionary<string, JsonNode?>();
            if (ingress.Spec?.IngressClassName is null)
            {
                patch["spec"] = new Dictionary<string, object?> { ["ingressClassName"] = AlbClassName };
                previousSpec["ingressClassName"] = null;
            }
            var marks = MarkPatched(patch, ingress.Metadata, previousSpec, missing.Keys);
            var body = new V1Patch(patch, V1Patch.PatchType.MergePatch);
            steps.Add(new LoadBalancerStep($"Patch Ingress {ns}/{request.ServiceName} in cluster '{request.ClusterName}':" +
                $"{(previousSpec.Count > 0 ? $" ingressClassName {AlbClassName};" : "")}{DescribeAnnotations(missing)}{marks}",
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

    /// <summary>
    /// Reads the Service or Ingress that owns <paramref name="lb"/> (no writes) and returns how Remove-EksLoadBalancer releases
    /// it: one the module created is deleted (or with keepService made ClusterIP), one it patched is put back as it was
    /// (with the Service behind a patched or created ALB Ingress), one it never touched is refused unless force.
    /// </summary>
    public async Task<LoadBalancerRelease> PlanReleaseAsync(ClusterLoadBalancer lb, bool keepService, bool force, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(lb.ClusterName, ct).ConfigureAwait(false);
        var isIngress = lb.IngressName is not null;
        var kind = isIngress ? "Ingress" : "Service";
        var name = isIngress ? lb.IngressName! : lb.ServiceName!;
        var subject = $"{kind} {lb.Namespace}/{name} of cluster '{lb.ClusterName}'";
        var lbText = lb.LoadBalancer is null ? $"its {lb.Type} load balancer (still provisioning)" : $"{lb.Type} load balancer {lb.LoadBalancer.Name} ({lb.LoadBalancer.DnsName})";
        var ingress = isIngress ? await TryAsync(() => k8s.NetworkingV1.ReadNamespacedIngressAsync(name, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false) : null;
        var service = isIngress ? null : await TryAsync(() => k8s.CoreV1.ReadNamespacedServiceAsync(name, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false);
        var metadata = ingress?.Metadata ?? service?.Metadata
            ?? throw new ModuleOperationException("LoadBalancerNotFound", "ObjectNotFound",
                $"{kind} {lb.Namespace}/{name} is no longer in cluster '{lb.ClusterName}'. Run Get-EksLoadBalancer -ClusterName {lb.ClusterName} to list the load balancers.");
        var mark = MarkOf(metadata);
        var keep = keepService && !isIngress;

        if (mark == PatchedMark)
        {
            var restore = RestorePatch(metadata, isIngress ? RestorableIngressFields : RestorableServiceFields, out var changes, out var previousSpec, out var previousAnnotations);
            if (restore is not null)
            {
                var current = new Dictionary<string, string?>
                {
                    ["type"] = service?.Spec?.Type, ["ingressClassName"] = ingress?.Spec?.IngressClassName,
                };
                var what = string.Join(", ", changes.Select(c => c switch
                {
                    "type" or "ingressClassName" => $"{c} {current[c] ?? "(none)"} -> {previousSpec[c]?.ToString() ?? "(none)"}",
                    _ => c,
                }));
                bool stays;
                if (isIngress)
                {
                    var className = previousSpec.TryGetValue("ingressClassName", out var restoredClass) ? restoredClass?.ToString() : ingress!.Spec?.IngressClassName;
                    var legacy = previousAnnotations.TryGetValue(LegacyIngressClassAnnotation, out var restoredLegacy) ? restoredLegacy
                        : metadata.Annotations?.TryGetValue(LegacyIngressClassAnnotation, out var l) == true ? l : null;
                    stays = className == AlbClassName || className is null && legacy == AlbClassName;
                }
                else
                {
                    stays = !previousSpec.TryGetValue("type", out var restoredType) || restoredType?.ToString() == "LoadBalancer";
                }

                var restores = new List<Func<CancellationToken, Task>>
                {
                    isIngress
                        ? c => k8s.NetworkingV1.PatchNamespacedIngressAsync(new V1Patch(restore, V1Patch.PatchType.MergePatch), name, lb.Namespace, cancellationToken: c)
                        : c => k8s.CoreV1.PatchNamespacedServiceAsync(new V1Patch(restore, V1Patch.PatchType.MergePatch), name, lb.Namespace, cancellationToken: c),
                };
                var description = $"Restore {subject} to what it was before New-EksLoadBalancer patched it ({what})";
                if (isIngress && await PlanBackendRestoreAsync(k8s, lb, ct).ConfigureAwait(false) is { } backend)
                {
                    restores.Add(backend.Apply);
                    description += ", and " + backend.Description;
                }
                description += stays ? $", keeping {lbText}, which it had before" : $", deleting {lbText}";
                return new LoadBalancerRelease(description, async c => { foreach (var step in restores) await step(c).ConfigureAwait(false); }, stays);
            }

            if (!force)
                throw new ModuleOperationException("PreviousStateUnreadable", "InvalidData",
                    $"{subject} is marked {ManagedByLabel}={PatchedMark} but its {PreviousAnnotation} annotation is missing or not the JSON New-EksLoadBalancer wrote, " +
                    $"so what it was before cannot be restored. Fix the annotation, change the {kind} back with kubectl, or pass -Force to {(keep ? "change it to ClusterIP" : "delete it")}.");
        }
        else if (mark != CreatedMark && !force)
        {
            var manager = OtherManager(metadata);
            throw new ModuleOperationException("LoadBalancerNotOwned", "InvalidOperation",
                $"{subject} was not created or patched by New-EksLoadBalancer (it has no {ManagedByLabel} label)" +
                (manager is null ? "" : $"; it is managed by {manager} ({OtherManagerLabel})") + ". " +
                $"Remove its load balancer with the tool that manages it{(manager == "Helm" ? " (helm upgrade or helm uninstall)" : "")}, " +
                $"or pass -Force to {(keep ? "change it to ClusterIP" : "delete it")} anyway.");
        }

        var owner = mark == CreatedMark ? " (created by New-EksLoadBalancer)"
            : $", which was not created by New-EksLoadBalancer{(OtherManager(metadata) is { } m ? $" (managed by {m})" : "")},";
        var text = isIngress ? $"Delete {subject}{owner} and {lbText}"
            : keep ? $"Change {subject}{owner} to ClusterIP, deleting {lbText}"
            : $"Delete {subject}{owner} and {lbText}";
        var writes = new List<Func<CancellationToken, Task>> { c => ReleaseAsync(lb, keep, c) };
        if (isIngress && mark == CreatedMark && await PlanBackendRestoreAsync(k8s, lb, ct).ConfigureAwait(false) is { } routed)
        {
            writes.Add(routed.Apply);
            text += ", and " + routed.Description;
        }
        return new LoadBalancerRelease(text, async c => { foreach (var step in writes) await step(c).ConfigureAwait(false); }, false);
    }

    /// <summary>The Service an ALB's Ingress routes to, put back when New-EksLoadBalancer patched it for the ALB (ClusterIP to NodePort).</summary>
    private static async Task<LoadBalancerStep?> PlanBackendRestoreAsync(IKubernetes k8s, ClusterLoadBalancer lb, CancellationToken ct)
    {
        if (lb.ServiceName is null) return null;
        var service = await TryAsync(() => k8s.CoreV1.ReadNamespacedServiceAsync(lb.ServiceName, lb.Namespace, cancellationToken: ct)).ConfigureAwait(false);
        // A Service of type LoadBalancer has its own load balancer: restoring it belongs to that one's removal.
        if (service?.Metadata is null || MarkOf(service.Metadata) != PatchedMark || service.Spec?.Type == "LoadBalancer") return null;
        var restore = RestorePatch(service.Metadata, RestorableServiceFields, out var changes, out var previousSpec, out _);
        if (restore is null) return null;
        var what = string.Join(", ", changes.Select(c => c == "type" ? $"type {service.Spec?.Type} -> {previousSpec[c]?.ToString() ?? "(none)"}" : c));
        return new LoadBalancerStep($"restore Service {lb.Namespace}/{lb.ServiceName} ({what})",
            c => k8s.CoreV1.PatchNamespacedServiceAsync(new V1Patch(restore, V1Patch.PatchType.MergePatch), lb.ServiceName, lb.Namespace, cancellationToken: c));
    }

    /// <summary>
    /// Deletes the object that owns the load balancer, whoever made it: the Ingress for an ALB, else the Service (or with
    /// keepService, makes it ClusterIP). Remove-EksCluster releases every load balancer this way, since the cluster goes too.
    /// </summary>
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
        Metadata = new V1ObjectMeta
        {
            Name = request.ServiceName, NamespaceProperty = request.Namespace, Annotations = annotations.Count > 0 ? annotations : null,
            Labels = new Dictionary<string, string> { [ManagedByLabel] = CreatedMark },
        },
        Spec = new V1ServiceSpec { Type = type, Selector = request.Selector!.ToDictionary(s => s.Key, s => s.Value), Ports = Ports(request) },
    };

    private static string? MarkOf(V1ObjectMeta metadata) => metadata.Labels?.TryGetValue(ManagedByLabel, out var mark) == true ? mark : null;

    private static string? OtherManager(V1ObjectMeta metadata) => metadata.Labels?.TryGetValue(OtherManagerLabel, out var manager) == true ? manager : null;

    private static JsonNode? ToJson(object? value) => value is null ? null : JsonNode.Parse(KubernetesJson.Serialize(value));

    /// <summary>
    /// Makes a merge patch of an object the module did not create also mark it patched and record, in PreviousAnnotation,
    /// the spec fields and annotations the patch replaces as they were (null: absent). Values recorded by an earlier patch
    /// are kept, so the record always holds the state before the module's first change. Returns a note for -WhatIf.
    /// </summary>
    private static string MarkPatched(Dictionary<string, object?> patch, V1ObjectMeta? metadata, IReadOnlyDictionary<string, JsonNode?> previousSpec, IEnumerable<string> annotationKeys)
    {
        var mark = metadata is null ? null : MarkOf(metadata);
        if (mark == CreatedMark) return string.Empty;
        var record = ReadPrevious(metadata) ?? new JsonObject();
        var spec = record["spec"] as JsonObject ?? new JsonObject();
        var annotations = record["annotations"] as JsonObject ?? new JsonObject();
        foreach (var (key, value) in previousSpec)
            if (!spec.ContainsKey(key)) spec[key] = value?.DeepClone();
        foreach (var key in annotationKeys)
            if (!annotations.ContainsKey(key)) annotations[key] = metadata?.Annotations?.TryGetValue(key, out var v) == true ? v : null;
        record["spec"] = spec.DeepClone();
        record["annotations"] = annotations.DeepClone();

        var patchMetadata = patch.TryGetValue("metadata", out var m) && m is Dictionary<string, object?> existing ? existing : new Dictionary<string, object?>();
        var patchAnnotations = patchMetadata.TryGetValue("annotations", out var a) && a is Dictionary<string, string> wanted
            ? new Dictionary<string, string>(wanted, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        patchAnnotations[PreviousAnnotation] = record.ToJsonString();
        patchMetadata["annotations"] = patchAnnotations;
        patchMetadata["labels"] = new Dictionary<string, string> { [ManagedByLabel] = PatchedMark };
        patch["metadata"] = patchMetadata;
        return $"; marked {ManagedByLabel}={PatchedMark}, with what it replaces in {PreviousAnnotation}";
    }

    private static JsonObject? ReadPrevious(V1ObjectMeta? metadata)
    {
        if (metadata?.Annotations?.TryGetValue(PreviousAnnotation, out var json) != true) return null;
        try { return JsonNode.Parse(json!) as JsonObject; }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// The merge patch that puts a patched object back as PreviousAnnotation records it (only the fields the module
    /// patches) and drops the marks; null when the record is missing or unreadable.
    /// </summary>
    private static string? RestorePatch(V1ObjectMeta metadata, IReadOnlyCollection<string> fields, out List<string> changes,
        out Dictionary<string, JsonNode?> previousSpec, out Dictionary<string, string?> previousAnnotations)
    {
        changes = new List<string>();
        previousSpec = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        previousAnnotations = new Dictionary<string, string?>(StringComparer.Ordinal);
        var record = ReadPrevious(metadata);
        if (record is null) return null;
        foreach (var (key, value) in record["spec"] as JsonObject ?? new JsonObject())
        {
            if (!fields.Contains(key)) continue;
            previousSpec[key] = value?.DeepClone();
            changes.Add(key);
        }

        var annotations = new JsonObject { [PreviousAnnotation] = null };
        foreach (var (key, value) in record["annotations"] as JsonObject ?? new JsonObject())
        {
            if (key == PreviousAnnotation) continue;
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            previousAnnotations[key] = text;
            annotations[key] = text;
            changes.Add(text is null ? $"annotation {key} removed" : $"annotation {key} back to '{text}'");
        }

        // As JSON text: a merge patch removes a key by sending it as null, which must reach the wire as written.
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [ManagedByLabel] = null }, ["annotations"] = annotations } };
        if (previousSpec.Count > 0) patch["spec"] = new JsonObject(previousSpec.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return patch.ToJsonString();
    }

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
