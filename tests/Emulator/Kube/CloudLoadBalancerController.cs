using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksEmulator.Eks;
using EksEmulator.Moto;

namespace EksEmulator.Kube;

/// <summary>
/// The cloud side of an EKS cluster's load balancing, as two controllers would do it: the in-tree AWS cloud provider
/// (Services of type LoadBalancer without an LB-controller annotation: a Classic ELB, or an NLB with type "nlb", named
/// "a" + the Service's uid) and the AWS Load Balancer Controller (Services annotated type "external"/"nlb-ip": an NLB;
/// Ingresses of an IngressClass whose controller is ingress.k8s.aws/alb: an ALB; named k8s-ns-name-hash). Load balancers
/// live in moto; the hostname lands in the object's status a moment after creation. Deleting the cluster does not delete
/// them, as in EKS: they leak unless their Services and Ingresses are deleted first.
/// </summary>
public sealed class CloudLoadBalancerController(EksStore store, MotoClient moto, TimeProvider clock, ILogger<CloudLoadBalancerController> logger)
{
    public const string TypeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-type";
    private const string ServicePrefix = "service.beta.kubernetes.io/aws-load-balancer-";
    private const string AlbPrefix = "alb.ingress.kubernetes.io/";
    private static readonly TimeSpan ProvisioningDelay = TimeSpan.FromSeconds(1.5);

    private sealed record OwnedLoadBalancer(string Controller, string Name, string? Arn, List<string> TargetGroupArns);

    private sealed class ClusterLoadBalancers
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public Dictionary<(string Controller, string Kind, string Namespace, string Name), OwnedLoadBalancer> Owned { get; } = [];
    }

    // Keyed by the cluster's object store: a cluster re-created under the same name starts with no load balancers of its own.
    private readonly ConditionalWeakTable<KubeObjectStore, ClusterLoadBalancers> _clusters = new();

    private sealed record Desired(string Controller, string Name, string Api, string Scheme, string TargetType, List<ElbListenerSpec> Listeners);

    /// <summary>Reconciles one Service or Ingress in the background, as the controllers' watches would.</summary>
    public void Notify(string region, string clusterName, KubeObjectStore objects, KubeResource resource, string ns, string name)
    {
        if (resource != KubeResources.Services && resource != KubeResources.Ingresses) return;
        var kind = resource.Kind;
        _ = Task.Run(() => ReconcileSafelyAsync(region, clusterName, objects, kind, ns, name));
    }

    /// <summary>A namespace's deletion removed its Services and Ingresses: their load balancers go too.</summary>
    public void NotifyNamespaceDeleted(string region, string clusterName, KubeObjectStore objects, string ns)
    {
        var state = _clusters.GetOrCreateValue(objects);
        List<(string Kind, string Name)> owned;
        lock (state.Owned) owned = state.Owned.Keys.Where(k => k.Namespace == ns).Select(k => (k.Kind, k.Name)).Distinct().ToList();
        foreach (var (kind, name) in owned) _ = Task.Run(() => ReconcileSafelyAsync(region, clusterName, objects, kind, ns, name));
    }

    private async Task ReconcileSafelyAsync(string region, string clusterName, KubeObjectStore objects, string kind, string ns, string name)
    {
        var state = _clusters.GetOrCreateValue(objects);
        await state.Gate.WaitAsync();
        try
        {
            await ReconcileAsync(region, clusterName, objects, state, kind, ns, name);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Cluster}: load balancer for {Kind} {Namespace}/{Name} failed", clusterName, kind, ns, name);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async Task ReconcileAsync(string region, string clusterName, KubeObjectStore objects, ClusterLoadBalancers state, string kind, string ns, string name)
    {
        var resource = kind == "Service" ? KubeResources.Services : KubeResources.Ingresses;
        var (obj, ingressClass) = objects.Run(view =>
        {
            var current = view.Get(resource, ns, name);
            var className = current?["spec"]?["ingressClassName"]?.GetValue<string>();
            return (current, className is null ? null : view.Get(KubeResources.IngressClasses, "", className));
        });

        var desired = new List<Desired>();
        var untouched = new HashSet<string>();
        if (obj is not null && resource == KubeResources.Services) DesireForService(clusterName, obj, desired, untouched);
        if (obj is not null && resource == KubeResources.Ingresses && DesireForIngress(clusterName, obj, ingressClass, objects) is { } alb) desired.Add(alb);

        var cancel = CancellationToken.None;
        string? hostname = null;
        foreach (var controller in new[] { "in-tree", "lbc" })
        {
            if (untouched.Contains(controller)) continue;
            var key = (controller, kind, ns, name);
            OwnedLoadBalancer? owned;
            lock (state.Owned) state.Owned.TryGetValue(key, out owned);
            var want = desired.FirstOrDefault(d => d.Controller == controller);
            if (owned is not null && (want is null || want.Name != owned.Name))
            {
                await DeleteAsync(region, owned, cancel);
                lock (state.Owned) state.Owned.Remove(key);
                owned = null;
                logger.LogInformation("{Cluster}: deleted load balancer of {Kind} {Namespace}/{Name}", clusterName, kind, ns, name);
            }

            if (want is null) continue;
            var tags = want.Controller == "lbc"
                ? new Dictionary<string, string> { ["elbv2.k8s.aws/cluster"] = clusterName, [kind == "Service" ? "service.k8s.aws/stack" : "ingress.k8s.aws/stack"] = $"{ns}/{name}" }
                : new Dictionary<string, string> { [$"kubernetes.io/cluster/{clusterName}"] = "owned", ["kubernetes.io/service-name"] = $"{ns}/{name}" };
            if (want.Api == "classic")
            {
                hostname = await moto.FindClassicLoadBalancerAsync(region, want.Name, cancel);
                if (hostname is null)
                {
                    var subnets = await SubnetsAsync(region, clusterName, want.Scheme, cancel);
                    hostname = await moto.CreateClassicLoadBalancerAsync(region, want.Name, want.Scheme == "internal", subnets.Ids, want.Listeners, tags, cancel);
                }

                owned = new OwnedLoadBalancer(controller, want.Name, null, []);
            }
            else if (owned is null || await moto.FindV2LoadBalancerAsync(region, want.Name, cancel) is null)
            {
                var subnets = await SubnetsAsync(region, clusterName, want.Scheme, cancel);
                var (arn, dnsName, groups) = await moto.CreateV2LoadBalancerAsync(region, want.Name, want.Api, want.Scheme, subnets.Ids, subnets.VpcId,
                    want.TargetType, want.Listeners, tags, cancel);
                owned = new OwnedLoadBalancer(controller, want.Name, arn, groups);
                hostname = dnsName;
            }
            else
            {
                hostname = (await moto.FindV2LoadBalancerAsync(region, want.Name, cancel))!.Value.DnsName;
            }

            lock (state.Owned) state.Owned[key] = owned;
        }

        if (obj is null || untouched.Count > 0 && desired.Count == 0) return;
        var currentHostname = obj["status"]?["loadBalancer"]?["ingress"]?[0]?["hostname"]?.GetValue<string>();
        if (currentHostname == hostname) return;
        // Provisioning takes a moment in AWS; the hostname is published once the load balancer exists.
        if (hostname is not null) await Task.Delay(ProvisioningDelay, clock);
        objects.Run(view =>
        {
            var current = view.Get(resource, ns, name);
            if (current is null || current["metadata"]!["uid"]!.GetValue<string>() != obj["metadata"]!["uid"]!.GetValue<string>()) return 0;
            var status = current["status"] as JsonObject ?? new JsonObject();
            status["loadBalancer"] = hostname is null
                ? new JsonObject()
                : new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["hostname"] = hostname }) };
            current["status"] = status;
            view.Replace(resource, ns, current, current);
            return 0;
        });
    }

    private static void DesireForService(string clusterName, JsonObject service, List<Desired> desired, HashSet<string> untouched)
    {
        var annotations = Annotations(service);
        var type = service["spec"]?["type"]?.GetValue<string>();
        var lbType = annotations.GetValueOrDefault(TypeAnnotation);
        var loadBalancerClass = service["spec"]?["loadBalancerClass"]?.GetValue<string>();
        var forLbController = lbType is "external" or "nlb-ip" || loadBalancerClass == "service.k8s.aws/nlb";
        // The in-tree provider leaves Services meant for the LB controller (or another class) alone entirely, even one it
        // made a load balancer for earlier: that one is not deleted when the Service changes hands.
        if (forLbController || loadBalancerClass is not null) untouched.Add("in-tree");
        if (type != "LoadBalancer") return;

        var ports = service["spec"]?["ports"] as JsonArray ?? [];
        var sslCertificate = annotations.GetValueOrDefault(ServicePrefix + "ssl-cert");
        var sslPorts = (annotations.GetValueOrDefault(ServicePrefix + "ssl-ports") ?? "*").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool IsSsl(JsonNode? port) => sslCertificate is not null && (sslPorts.Contains("*") || sslPorts.Contains(port?["port"]?.ToString()) || sslPorts.Contains(port?["name"]?.GetValue<string>()));

        if (forLbController)
        {
            // The LB controller's defaults (its docs): scheme internal, instance targets; it honours the legacy -internal annotation.
            var scheme = annotations.GetValueOrDefault(ServicePrefix + "scheme")
                ?? (annotations.GetValueOrDefault(ServicePrefix + "internal") is { } legacy ? (legacy == "false" ? "internet-facing" : "internal") : "internal");
            var targetType = annotations.GetValueOrDefault(ServicePrefix + "nlb-target-type") ?? (lbType == "nlb-ip" ? "ip" : "instance");
            var listeners = ports.Select(p => new ElbListenerSpec(
                IsSsl(p) ? "TLS" : p?["protocol"]?.GetValue<string>() ?? "TCP", PortOf(p, "port"),
                targetType == "ip" ? TargetPortOf(p) : NodePortOf(p), IsSsl(p) ? sslCertificate : null)).ToList();
            desired.Add(new Desired("lbc", ControllerName(clusterName, service, scheme), "network", scheme, targetType, listeners));
            return;
        }

        if (loadBalancerClass is not null) return;
        var internalValue = annotations.GetValueOrDefault(ServicePrefix + "internal");
        var inTreeScheme = internalValue is not null && internalValue != "false" ? "internal" : "internet-facing";
        var inTreeName = ("a" + service["metadata"]!["uid"]!.GetValue<string>().Replace("-", "", StringComparison.Ordinal))[..32];
        if (lbType == "nlb")
        {
            desired.Add(new Desired("in-tree", inTreeName, "network", inTreeScheme, "instance",
                ports.Select(p => new ElbListenerSpec(p?["protocol"]?.GetValue<string>() ?? "TCP", PortOf(p, "port"), NodePortOf(p), null)).ToList()));
            return;
        }

        var backend = annotations.GetValueOrDefault(ServicePrefix + "backend-protocol");
        desired.Add(new Desired("in-tree", inTreeName, "classic", inTreeScheme, "instance",
            ports.Select(p => new ElbListenerSpec(
                IsSsl(p) ? (backend is "http" or "https" ? "HTTPS" : "SSL") : backend is "http" ? "HTTP" : "TCP",
                PortOf(p, "port"), NodePortOf(p), IsSsl(p) ? sslCertificate : null)).ToList()));
    }

    private static Desired? DesireForIngress(string clusterName, JsonObject ingress, JsonObject? ingressClass, KubeObjectStore objects)
    {
        var annotations = Annotations(ingress);
        var isAlb = ingressClass?["spec"]?["controller"]?.GetValue<string>() == "ingress.k8s.aws/alb"
            || ingress["spec"]?["ingressClassName"] is null && annotations.GetValueOrDefault("kubernetes.io/ingress.class") == "alb";
        if (!isAlb) return null;

        var scheme = annotations.GetValueOrDefault(AlbPrefix + "scheme") ?? "internal";
        var targetType = annotations.GetValueOrDefault(AlbPrefix + "target-type") ?? "instance";
        var certificate = annotations.GetValueOrDefault(AlbPrefix + "certificate-arn")?.Split(',')[0].Trim();
        var listenPorts = new List<(string Protocol, int Port)>();
        if (annotations.GetValueOrDefault(AlbPrefix + "listen-ports") is { } json)
        {
            try
            {
                foreach (var entry in JsonNode.Parse(json) as JsonArray ?? [])
                    foreach (var (protocol, port) in entry as JsonObject ?? [])
                        listenPorts.Add((protocol, port!.GetValue<int>()));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return null; // the controller reports a malformed annotation as an event and builds nothing
            }
        }

        if (listenPorts.Count == 0) listenPorts.Add(certificate is null ? ("HTTP", 80) : ("HTTPS", 443));

        // One target group for the first backend the Ingress routes to (default backend, then the rules).
        var backend = ingress["spec"]?["defaultBackend"]?["service"]
            ?? (ingress["spec"]?["rules"] as JsonArray)?.SelectMany(r => r?["http"]?["paths"] as JsonArray ?? []).Select(p => p?["backend"]?["service"]).FirstOrDefault(s => s is not null);
        var ns = ingress["metadata"]!["namespace"]!.GetValue<string>();
        var targetPort = 80;
        if (backend?["name"]?.GetValue<string>() is { } serviceName)
        {
            var service = objects.Run(view => view.Get(KubeResources.Services, ns, serviceName));
            var port = (service?["spec"]?["ports"] as JsonArray)?.FirstOrDefault(p =>
                backend["port"]?["number"] is { } n ? PortOf(p, "port") == n.GetValue<int>() : p?["name"]?.GetValue<string>() == backend["port"]?["name"]?.GetValue<string>());
            if (port is not null) targetPort = targetType == "ip" ? TargetPortOf(port) : NodePortOf(port);
        }

        return new Desired("lbc", ControllerName(clusterName, ingress, scheme), "application", scheme, targetType,
            listenPorts.Select(l => new ElbListenerSpec(l.Protocol, l.Port, targetPort, l.Protocol == "HTTPS" ? certificate : null)).ToList());
    }

    /// <summary>The LB controller's naming: k8s-(namespace, 8)-(name, 8)-(10 hex of a hash over cluster, object and scheme).</summary>
    private static string ControllerName(string clusterName, JsonObject obj, string scheme)
    {
        var ns = obj["metadata"]!["namespace"]!.GetValue<string>();
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{clusterName}/{ns}/{name}/{scheme}"))).ToLowerInvariant();
        static string Sanitize(string s) { var clean = new string(s.Where(char.IsAsciiLetterOrDigit).ToArray()); return clean.Length > 8 ? clean[..8] : clean; }
        return $"k8s-{Sanitize(ns)}-{Sanitize(name)}-{hash[..10]}";
    }

    private static Dictionary<string, string> Annotations(JsonObject obj) =>
        (obj["metadata"]?["annotations"] as JsonObject ?? []).Where(a => a.Value is JsonValue)
            .ToDictionary(a => a.Key, a => a.Value!.ToString());

    private static int PortOf(JsonNode? port, string field) =>
        port?[field] is JsonValue v && v.TryGetValue<int>(out var number) ? number : 0;

    private static int TargetPortOf(JsonNode? port) => PortOf(port, "targetPort") is > 0 and var target ? target : PortOf(port, "port");

    // Without an allocated node port (this apiserver does not allocate them) the Service port stands in.
    private static int NodePortOf(JsonNode? port) => PortOf(port, "nodePort") is > 0 and var nodePort ? nodePort : PortOf(port, "port");

    private async Task<(List<string> Ids, string VpcId)> SubnetsAsync(string region, string clusterName, string scheme, CancellationToken cancel)
    {
        var subnetIds = await store.RunAsync(view => Task.FromResult(view.Find(region, clusterName)?.SubnetIds.ToList() ?? []), cancel);
        var subnets = await moto.DescribeSubnetRolesAsync(region, subnetIds, cancel);
        // Subnet discovery as the controllers do it: the role tag for the scheme, else every cluster subnet; one per zone.
        var tagged = subnets.Where(s => scheme == "internal" ? s.InternalElb : s.PublicElb).ToList();
        var chosen = (tagged.Count > 0 ? tagged : subnets).OrderBy(s => s.SubnetId, StringComparer.Ordinal)
            .GroupBy(s => s.AvailabilityZone).Select(g => g.First()).ToList();
        if (chosen.Count == 0) throw new InvalidOperationException($"cluster {clusterName} has no subnets for a {scheme} load balancer");
        return (chosen.Select(s => s.SubnetId).ToList(), chosen[0].VpcId);
    }

    private async Task DeleteAsync(string region, OwnedLoadBalancer owned, CancellationToken cancel)
    {
        if (owned.Arn is null) await moto.DeleteClassicLoadBalancerAsync(region, owned.Name, cancel);
        else await moto.DeleteV2LoadBalancerAsync(region, owned.Arn, owned.TargetGroupArns, cancel);
    }
}
