using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksEmulator.Eks;
using EksEmulator.Moto;

namespace EksEmulator.Kube;

/// <summary>
/// Plays the Amazon VPC CNI on the nodes of every emulated cluster, as its documentation describes it.
/// <para>ipamd (aws-node) keeps a warm pool of secondary IPv4 addresses on the node's ENIs, through EC2 (moto): with the
/// default WARM_ENI_TARGET=1 a whole ENI's worth of free addresses, so a new node gets its primary ENI filled, and ENIs
/// are created and attached (filled too) as pods use addresses, up to the instance type's ENI limit; with WARM_IP_TARGET
/// or MINIMUM_IP_TARGET in the vpc-cni add-on's configuration, exactly the addresses those ask for. ENIs it creates carry
/// ipamd's description and tags, and go when their instance is terminated (ipamd sets DeleteOnTermination).</para>
/// <para>The CNI plugin, with the kubelet: a pod bound to a Ready node gets a free address of that node's pool (a
/// host-network pod the node's own) and becomes Running; with no free address it stays Pending until there is one.</para>
/// <para>Not emulated: giving surplus addresses or ENIs back (ipamd does after a cool-down; here the pool only grows), and
/// prefix delegation: moto 5.2.1 ignores Ipv4Prefix requests, so with ENABLE_PREFIX_DELEGATION=true on a Nitro
/// instance nothing is assigned and pods there stay Pending.</para>
/// </summary>
public sealed class VpcCniController(EksStore store, MotoClient moto, TimeProvider clock, ILogger<VpcCniController> log) : PollingController(clock, log)
{
    public const string InstanceTag = "node.k8s.amazonaws.com/instance_id";
    public const string ClusterTag = "cluster.k8s.amazonaws.com/name";
    public const string CreatedAtTag = "node.k8s.amazonaws.com/createdAt";
    public const string NoManageTag = "node.k8s.amazonaws.com/no_manage";
    public const string DescriptionPrefix = "aws-K8S-";

    private readonly ConcurrentDictionary<(string Region, string Type), Ec2InstanceTypeLimits?> _limits = new();
    private readonly HashSet<string> _regionsWithCreatedEnis = [];
    private readonly HashSet<string> _prefixNoticeGiven = [];

    private sealed record ClusterView(string Region, string Name, KubeObjectStore Objects, string? CniConfiguration);

    private sealed record NodeView(string Name, string InstanceId, string InstanceType, string HostIp, bool Ready);

    /// <summary>The aws-node settings ipamd's pool follows, with the VPC CNI's defaults.</summary>
    private sealed record CniSettings(bool PrefixDelegation, int WarmEniTarget, int WarmIpTarget, int MinimumIpTarget, int MaxEni)
    {
        public bool ByAddress => WarmIpTarget > 0 || MinimumIpTarget > 0;

        public static CniSettings Parse(string? configurationValues)
        {
            JsonObject? env = null;
            try { env = JsonNode.Parse(configurationValues ?? "")?["env"] as JsonObject; }
            catch (JsonException) { }
            string? Value(string name) => env?[name]?.ToString();
            int Number(string name, int fallback) => int.TryParse(Value(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : fallback;
            return new CniSettings(string.Equals(Value("ENABLE_PREFIX_DELEGATION"), "true", StringComparison.OrdinalIgnoreCase),
                Number("WARM_ENI_TARGET", 1), Number("WARM_IP_TARGET", 0), Number("MINIMUM_IP_TARGET", 0), Number("MAX_ENI", 0));
        }
    }

    protected override async Task ReconcileAsync(CancellationToken cancel)
    {
        var clusters = await store.RunAsync(view => Task.FromResult(view.All
            .Where(c => c.StatusAt(view.Now) != ClusterStatus.Deleting)
            .Select(c => new ClusterView(c.Region, c.Name, c.Objects, c.Addons.GetValueOrDefault("vpc-cni")?.ConfigurationValues))
            .ToList()), cancel);

        var liveInstances = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var cluster in clusters)
        {
            var nodes = cluster.Objects.Run(view => view.List(KubeResources.Nodes, "")).Select(ReadNode).OfType<NodeView>().ToList();
            if (nodes.Count == 0) continue;
            if (!liveInstances.TryGetValue(cluster.Region, out var live)) liveInstances[cluster.Region] = live = new HashSet<string>(StringComparer.Ordinal);
            live.UnionWith(nodes.Select(n => n.InstanceId));
            await ReconcileClusterAsync(cluster, nodes, cancel);
        }

        foreach (var region in _regionsWithCreatedEnis.ToList())
            await DeleteEnisOfTerminatedInstancesAsync(region, liveInstances.GetValueOrDefault(region) ?? [], cancel);
    }

    private async Task ReconcileClusterAsync(ClusterView cluster, List<NodeView> nodes, CancellationToken cancel)
    {
        var settings = CniSettings.Parse(cluster.CniConfiguration);
        var instanceIds = nodes.Select(n => n.InstanceId).ToList();
        var enis = await DescribeEnisAsync(cluster.Region, instanceIds, cancel);
        var pods = cluster.Objects.Run(view => view.List(KubeResources.Pods, null));
        var changed = false;
        foreach (var node in nodes)
        {
            var limits = await LimitsAsync(cluster.Region, node.InstanceType, cancel);
            if (limits is null) continue;
            if (settings.PrefixDelegation && limits.SupportsPrefixes)
            {
                if (_prefixNoticeGiven.Add(node.InstanceId))
                    Log.LogInformation("{Node}: ENABLE_PREFIX_DELEGATION=true, but moto cannot assign /28 prefixes; no pod addresses are assigned.", node.Name);
                continue;
            }

            var used = pods.Count(p => NeedsAddress(p) && NodeOf(p) == node.Name);
            changed |= await GrowPoolAsync(cluster, node, limits, settings, enis.GetValueOrDefault(node.InstanceId) ?? [], used, cancel);
        }

        if (changed) enis = await DescribeEnisAsync(cluster.Region, instanceIds, cancel);
        var pools = nodes.ToDictionary(n => n.Name, n => (enis.GetValueOrDefault(n.InstanceId) ?? []).Where(IsManaged)
            .OrderBy(e => e.DeviceIndex).SelectMany(e => e.SecondaryIpAddresses).ToList(), StringComparer.Ordinal);
        StartPods(cluster.Objects, nodes.ToDictionary(n => n.Name, StringComparer.Ordinal), pools);
    }

    private async Task<Dictionary<string, List<Ec2NetworkInterfaceInfo>>> DescribeEnisAsync(string region, IReadOnlyCollection<string> instanceIds, CancellationToken cancel) =>
        (await moto.DescribeNetworkInterfacesAsync(region, "attachment.instance-id", instanceIds, cancel))
            .Where(e => e.InstanceId is not null)
            .GroupBy(e => e.InstanceId!)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    /// <summary>Tops the node's pool up to what the warm targets ask for; true when it assigned or attached anything.</summary>
    private async Task<bool> GrowPoolAsync(ClusterView cluster, NodeView node, Ec2InstanceTypeLimits limits, CniSettings settings,
        List<Ec2NetworkInterfaceInfo> enis, int used, CancellationToken cancel)
    {
        var slots = limits.Ipv4AddressesPerInterface - 1;
        var managed = enis.Where(IsManaged).OrderBy(e => e.DeviceIndex).ToList();
        if (slots <= 0 || managed.Count == 0) return false;
        var maxEnis = settings.MaxEni > 0 ? Math.Min(settings.MaxEni, limits.MaxNetworkInterfaces) : limits.MaxNetworkInterfaces;
        var assigned = managed.Sum(e => e.SecondaryIpAddresses.Count);
        var wanted = settings.ByAddress
            ? Math.Max(used + settings.WarmIpTarget, settings.MinimumIpTarget)
            : used + settings.WarmEniTarget * slots;
        var shortfall = wanted - assigned;
        if (shortfall <= 0) return false;

        var changed = false;
        var primary = managed[0];
        var free = await FreeAddressesAsync(cluster.Region, primary.SubnetId, cancel);
        foreach (var eni in managed.Where(e => e.SubnetId == primary.SubnetId))
        {
            var room = slots - eni.SecondaryIpAddresses.Count;
            if (room <= 0) continue;
            // WARM_ENI_TARGET fills whole ENIs; the IP targets ask for addresses one by one.
            var addresses = Take(free, settings.ByAddress ? Math.Min(room, shortfall) : room);
            if (addresses.Count == 0) return changed;
            await moto.AssignPrivateIpAddressesAsync(cluster.Region, eni.NetworkInterfaceId, addresses, cancel);
            shortfall -= addresses.Count;
            changed = true;
            if (shortfall <= 0) return true;
        }

        var taken = enis.Where(e => e.NetworkCardIndex == 0).Select(e => e.DeviceIndex).ToHashSet();
        while (shortfall > 0 && taken.Count < maxEnis && free.Count > 1)
        {
            var device = Enumerable.Range(1, 64).First(i => !taken.Contains(i));
            var tags = new Dictionary<string, string>
            {
                [InstanceTag] = node.InstanceId,
                [ClusterTag] = cluster.Name,
                [CreatedAtTag] = Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            var eniId = await moto.CreateNetworkInterfaceAsync(cluster.Region, primary.SubnetId, free.Dequeue(), primary.GroupIds,
                DescriptionPrefix + node.InstanceId, tags, cancel);
            _regionsWithCreatedEnis.Add(cluster.Region);
            await moto.AttachNetworkInterfaceAsync(cluster.Region, eniId, node.InstanceId, device, cancel);
            taken.Add(device);
            var addresses = Take(free, settings.ByAddress ? Math.Min(slots, shortfall) : slots);
            if (addresses.Count > 0) await moto.AssignPrivateIpAddressesAsync(cluster.Region, eniId, addresses, cancel);
            shortfall -= addresses.Count;
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// The subnet's addresses no ENI holds, lowest first, without the first four and the last of the block, which AWS
    /// reserves. Chosen here because moto picks random addresses for a count without checking the subnet.
    /// </summary>
    private async Task<Queue<string>> FreeAddressesAsync(string region, string subnetId, CancellationToken cancel)
    {
        var cidr = await moto.DescribeSubnetCidrAsync(region, subnetId, cancel);
        var used = (await moto.DescribeNetworkInterfacesAsync(region, "subnet-id", [subnetId], cancel))
            .SelectMany(e => e.SecondaryIpAddresses.Append(e.PrimaryIpAddress)).ToHashSet(StringComparer.Ordinal);
        var slash = cidr.IndexOf('/');
        var bytes = System.Net.IPAddress.Parse(cidr[..slash]).GetAddressBytes();
        var network = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        var size = 1u << (32 - int.Parse(cidr[(slash + 1)..], CultureInfo.InvariantCulture));
        var free = new Queue<string>();
        for (var offset = 4u; offset < size - 1; offset++)
        {
            var value = network + offset;
            var address = $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
            if (!used.Contains(address)) free.Enqueue(address);
        }

        return free;
    }

    private static List<string> Take(Queue<string> free, int count)
    {
        var taken = new List<string>();
        while (taken.Count < count && free.TryDequeue(out var address)) taken.Add(address);
        return taken;
    }

    /// <summary>The kubelet and CNI ADD: pods bound to a Ready node get an address from its pool and run.</summary>
    private void StartPods(KubeObjectStore objects, Dictionary<string, NodeView> nodes, Dictionary<string, List<string>> pools)
    {
        var now = Clock.GetUtcNow();
        objects.Run(view =>
        {
            var pods = view.List(KubeResources.Pods, null);
            var inUse = pods.Where(p => NeedsAddress(p) && Text(p["status"]?["podIP"]) is not null)
                .Select(p => Text(p["status"]!["podIP"])!).ToHashSet(StringComparer.Ordinal);
            foreach (var pod in pods)
            {
                if (Text(pod["status"]?["podIP"]) is not null || IsFinished(pod)) continue;
                if (NodeOf(pod) is not { } nodeName || !nodes.TryGetValue(nodeName, out var node) || !node.Ready) continue;
                string? address;
                if (pod["spec"]?["hostNetwork"]?.GetValueKind() == JsonValueKind.True) address = node.HostIp;
                else
                {
                    address = pools.GetValueOrDefault(nodeName)?.FirstOrDefault(ip => !inUse.Contains(ip));
                    if (address is null) continue;
                    inUse.Add(address);
                }

                SetRunning(pod, node, address, now);
                view.Replace(KubeResources.Pods, pod["metadata"]!["namespace"]!.GetValue<string>(), pod, pod);
            }

            return true;
        });
    }

    private static void SetRunning(JsonObject pod, NodeView node, string address, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = pod["status"] as JsonObject ?? new JsonObject();
        JsonObject Condition(string type) => new() { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = stamp };
        status["phase"] = "Running";
        status["conditions"] = new JsonArray(Condition("PodReadyToStartContainers"), Condition("Initialized"), Condition("Ready"),
            Condition("ContainersReady"), Condition("PodScheduled"));
        status["hostIP"] = node.HostIp;
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = node.HostIp });
        status["podIP"] = address;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = address });
        status["startTime"] = stamp;
        status["containerStatuses"] = new JsonArray((pod["spec"]?["containers"] as JsonArray ?? []).Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c?["name"]?.DeepClone(),
            ["image"] = c?["image"]?.DeepClone(),
            ["imageID"] = "",
            ["containerID"] = "containerd://" + Guid.NewGuid().ToString("N"),
            ["ready"] = true,
            ["started"] = true,
            ["restartCount"] = 0,
            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = stamp } },
        }).ToArray());
        pod["status"] = status;
    }

    /// <summary>ipamd's ENIs outlive nothing: once their instance is terminated they are deleted, as DeleteOnTermination does.</summary>
    private async Task DeleteEnisOfTerminatedInstancesAsync(string region, HashSet<string> liveInstances, CancellationToken cancel)
    {
        var ours = await moto.DescribeNetworkInterfacesAsync(region, "tag-key", [InstanceTag], cancel);
        var orphans = ours.Where(e => !liveInstances.Contains(e.Tags.GetValueOrDefault(InstanceTag) ?? "")).ToList();
        if (orphans.Count == 0) return;
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in orphans.Select(e => e.Tags[InstanceTag]).Distinct())
        {
            try { foreach (var instance in await moto.DescribeInstancesAsync(region, [id], cancel)) states[instance.InstanceId] = instance.State; }
            catch (MotoException) { states[id] = "terminated"; }
        }

        foreach (var eni in orphans.Where(e => states.GetValueOrDefault(e.Tags[InstanceTag]) is "terminated" or "shutting-down"))
        {
            if (eni.AttachmentId is not null) await moto.DetachNetworkInterfaceAsync(region, eni.AttachmentId, cancel);
            await moto.DeleteNetworkInterfaceAsync(region, eni.NetworkInterfaceId, cancel);
        }
    }

    private async Task<Ec2InstanceTypeLimits?> LimitsAsync(string region, string instanceType, CancellationToken cancel)
    {
        if (_limits.TryGetValue((region, instanceType), out var known)) return known;
        Ec2InstanceTypeLimits? limits = null;
        try { limits = (await moto.DescribeInstanceTypesAsync(region, [instanceType], cancel)).FirstOrDefault(); }
        catch (MotoException e) { Log.LogInformation("DescribeInstanceTypes {Type}: {Error}", instanceType, e.Message); }
        _limits[(region, instanceType)] = limits;
        return limits;
    }

    private static bool IsManaged(Ec2NetworkInterfaceInfo eni) =>
        eni.NetworkCardIndex == 0 && !string.Equals(eni.Tags.GetValueOrDefault(NoManageTag), "true", StringComparison.OrdinalIgnoreCase);

    private static NodeView? ReadNode(JsonObject node)
    {
        var providerId = Text(node["spec"]?["providerID"]);
        var instanceId = providerId?[(providerId.LastIndexOf('/') + 1)..];
        var type = Text(node["metadata"]?["labels"]?["node.kubernetes.io/instance-type"]);
        var hostIp = (node["status"]?["addresses"] as JsonArray)?.FirstOrDefault(a => Text(a?["type"]) == "InternalIP") is { } internalIp ? Text(internalIp["address"]) : null;
        if (instanceId is not { Length: > 0 } || type is null || hostIp is null) return null;
        var ready = (node["status"]?["conditions"] as JsonArray)?.Any(c => Text(c?["type"]) == "Ready" && Text(c?["status"]) == "True") == true;
        return new NodeView(KubeResources.Name(node), instanceId, type, hostIp, ready);
    }

    private static string? NodeOf(JsonObject pod) => Text(pod["spec"]?["nodeName"]);

    private static bool IsFinished(JsonObject pod) => Text(pod["status"]?["phase"]) is "Succeeded" or "Failed";

    /// <summary>A pod that takes one of the pool's addresses: not on the host network, not finished.</summary>
    private static bool NeedsAddress(JsonObject pod) => pod["spec"]?["hostNetwork"]?.GetValueKind() != JsonValueKind.True && !IsFinished(pod);

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
