using System.Text.Json.Nodes;

namespace EksEmulator.Kube;

/// <summary>kubectl's pod table: NAME READY STATUS RESTARTS AGE, and with -o wide IP NODE NOMINATED NODE READINESS GATES.</summary>
public static class PodTable
{
    public static readonly IReadOnlyList<TableColumn> Columns =
    [
        new("Name", "string", "name", "Name must be unique within a namespace."),
        new("Ready", "string", "", "The number of ready containers out of all containers."),
        new("Status", "string", "", "The pod's phase, or the reason it is in it."),
        new("Restarts", "string", "", "Container restarts."),
        new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        new("IP", "string", "", "The pod's IP address.", 1),
        new("Node", "string", "", "The node the pod is bound to.", 1),
        new("Nominated Node", "string", "", "The node preemption nominated for the pod.", 1),
        new("Readiness Gates", "string", "", "The pod's readiness gates.", 1),
    ];

    public static List<object?> Cells(JsonObject pod, IReadOnlyList<TableColumn> columns, DateTimeOffset now)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var statuses = pod["status"]?["containerStatuses"] as JsonArray ?? [];
        var ready = statuses.Count(s => s?["ready"]?.GetValue<bool>() == true);
        var restarts = statuses.Sum(s => s?["restartCount"]?.GetValue<int>() ?? 0);
        var status = pod["metadata"]?["deletionTimestamp"] is not null ? "Terminating"
            : Text(pod["status"]?["reason"]) ?? Text(pod["status"]?["phase"]) ?? "Pending";
        var gates = (pod["spec"]?["readinessGates"] as JsonArray)?.Count ?? 0;
        return
        [
            KubeResources.Name(pod), $"{ready}/{containers}", status, restarts, KubeResources.Age(pod, now),
            Text(pod["status"]?["podIP"]) ?? "<none>", Text(pod["spec"]?["nodeName"]) ?? "<none>",
            Text(pod["status"]?["nominatedNodeName"]) ?? "<none>", gates == 0 ? "<none>" : $"0/{gates}",
        ];
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}

/// <summary>What the apiserver does to a pod on create (the pod strategy's PrepareForCreate and validation).</summary>
public static class PodDefaults
{
    /// <summary>
    /// Status is the kubelet's to write: whatever the client sent is replaced by Pending. A pod needs at least one
    /// container with a name and an image.
    /// </summary>
    public static void PrepareForCreate(JsonObject pod, string name)
    {
        if (pod["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
            throw KubeStatusException.Invalid(KubeResources.Pods, name, "spec.containers", "Required value");
        for (var i = 0; i < containers.Count; i++)
        {
            if (containers[i]?["name"] is not JsonValue)
                throw KubeStatusException.Invalid(KubeResources.Pods, name, $"spec.containers[{i}].name", "Required value");
            if (containers[i]?["image"] is not JsonValue)
                throw KubeStatusException.Invalid(KubeResources.Pods, name, $"spec.containers[{i}].image", "Required value");
        }
        var spec = (JsonObject)pod["spec"]!;
        spec["restartPolicy"] ??= "Always";
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
    }

    /// <summary>An update or patch of the pod itself leaves its status alone: that changes only through the status subresource.</summary>
    public static void KeepStatus(JsonObject current, JsonObject updated)
    {
        if (current["status"] is { } status) updated["status"] = status.DeepClone();
        else updated.Remove("status");
    }
}
