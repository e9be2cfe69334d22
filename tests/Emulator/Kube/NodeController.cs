using System.Globalization;
using System.Text.Json.Nodes;
using EksEmulator.Eks;
using EksEmulator.Moto;

namespace EksEmulator.Kube;

/// <summary>
/// Plays the kubelets of managed node groups: every InService instance of a node group's Auto Scaling group (in moto)
/// registers a Node named by its private DNS name, NotReady at first and Ready a few seconds after the node group is
/// ACTIVE and the node has registered. Nodes of instances that left the group, and of deleted node groups, go away.
/// </summary>
public sealed class NodeController(EksStore store, MotoClient moto, TimeProvider clock, ILogger<NodeController> log) : PollingController(clock, log)
{
    public const string NodegroupLabel = "eks.amazonaws.com/nodegroup";

    /// <summary>How long a registered node of an ACTIVE node group stays NotReady (kubelet start, CNI up).</summary>
    public static readonly TimeSpan ReadyDelay = TimeSpan.FromSeconds(3);

    private sealed record NodegroupView(
        string Name, string AutoScalingGroupName, string Status, DateTimeOffset ActiveAt, string CapacityType,
        Dictionary<string, string> Labels, List<Taint> Taints);

    private sealed record ClusterView(ClusterState Cluster, string Region, string Version, List<NodegroupView> Nodegroups);

    protected override async Task ReconcileAsync(CancellationToken cancel)
    {
        var clusters = await store.RunAsync(view => Task.FromResult(view.All
            .Select(c => new ClusterView(c, c.Region, c.Version, c.Nodegroups.Values
                .Select(n => new NodegroupView(n.Name, n.AutoScalingGroupName, n.StatusAt(view.Now), n.ActiveAt, n.CapacityType,
                    new Dictionary<string, string>(n.Labels), [.. n.Taints ?? []]))
                .ToList()))
            .ToList()), cancel);

        foreach (var cluster in clusters)
        {
            var wanted = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            var readiness = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
            foreach (var nodegroup in cluster.Nodegroups.Where(n => n.Status != "DELETING"))
            {
                var members = await moto.DescribeGroupLifecycleAsync(cluster.Region, nodegroup.AutoScalingGroupName, cancel);
                var inService = members.Where(m => m.LifecycleState == "InService").Select(m => m.InstanceId).ToList();
                foreach (var instance in await moto.DescribeInstancesAsync(cluster.Region, inService, cancel))
                {
                    if (instance.State != "running" || instance.PrivateDnsName.Length == 0) continue;
                    wanted[instance.PrivateDnsName] = NewNode(cluster, nodegroup, instance);
                    readiness[instance.PrivateDnsName] = nodegroup.Status is "ACTIVE" or "UPDATING" ? nodegroup.ActiveAt : null;
                }
            }

            if (wanted.Count == 0 && cluster.Nodegroups.Count == 0 && !HasNodes(cluster.Cluster)) continue;
            var now = Clock.GetUtcNow();
            cluster.Cluster.Objects.Run(view =>
            {
                foreach (var node in view.List(KubeResources.Nodes, ""))
                {
                    var name = KubeResources.Name(node);
                    if (node["metadata"]?["labels"]?[NodegroupLabel] is not null && !wanted.ContainsKey(name))
                        view.Delete(KubeResources.Nodes, "", name);
                }

                foreach (var (name, node) in wanted)
                {
                    var current = view.Get(KubeResources.Nodes, "", name);
                    if (current is null)
                    {
                        SetReady(node, false, now);
                        view.Create(KubeResources.Nodes, "", node, now);
                        continue;
                    }

                    var registered = DateTimeOffset.Parse(current["metadata"]!["creationTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    var ready = readiness[name] is { } activeAt && now >= Max(activeAt, registered) + ReadyDelay;
                    if (IsReady(current) == ready) continue;
                    SetReady(current, ready, now);
                    view.Replace(KubeResources.Nodes, "", current, current);
                }

                return true;
            });
        }
    }

    private static bool HasNodes(ClusterState cluster) => cluster.Objects.Run(view => view.List(KubeResources.Nodes, "").Count > 0);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static bool IsReady(JsonObject node) =>
        (node["status"]?["conditions"] as JsonArray)?.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True") == true;

    private static void SetReady(JsonObject node, bool ready, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = (JsonObject)(node["status"] ??= new JsonObject());
        status["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Ready",
            ["status"] = ready ? "True" : "False",
            ["reason"] = ready ? "KubeletReady" : "KubeletNotReady",
            ["message"] = ready ? "kubelet is posting ready status" : "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
            ["lastHeartbeatTime"] = stamp,
            ["lastTransitionTime"] = stamp,
        });
    }

    private static JsonObject NewNode(ClusterView cluster, NodegroupView nodegroup, Ec2InstanceInfo instance)
    {
        var labels = new JsonObject
        {
            ["beta.kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/hostname"] = instance.PrivateDnsName,
            ["node.kubernetes.io/instance-type"] = instance.InstanceType,
            ["topology.kubernetes.io/region"] = cluster.Region,
            ["topology.kubernetes.io/zone"] = instance.AvailabilityZone,
            [NodegroupLabel] = nodegroup.Name,
            ["eks.amazonaws.com/capacityType"] = nodegroup.CapacityType,
        };
        foreach (var (key, value) in nodegroup.Labels) labels[key] = value;

        var spec = new JsonObject { ["providerID"] = $"aws:///{instance.AvailabilityZone}/{instance.InstanceId}" };
        if (nodegroup.Taints.Count > 0)
            spec["taints"] = new JsonArray(nodegroup.Taints.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key,
                ["value"] = t.Value,
                ["effect"] = t.Effect switch { "NO_EXECUTE" => "NoExecute", "PREFER_NO_SCHEDULE" => "PreferNoSchedule", _ => "NoSchedule" },
            }).ToArray());

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = instance.PrivateDnsName, ["labels"] = labels },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = instance.PrivateIpAddress },
                    new JsonObject { ["type"] = "InternalDNS", ["address"] = instance.PrivateDnsName },
                    new JsonObject { ["type"] = "Hostname", ["address"] = instance.PrivateDnsName }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = $"v{cluster.Version}.0-eks-emulated",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                    ["containerRuntimeVersion"] = "containerd://1.7.27",
                },
            },
        };
    }
}
