namespace EksEmulator.Kube;

/// <summary>
/// One Kubernetes resource kind the emulated apiserver serves. Adding a kind (nodes, services, storageclasses, ...)
/// is one entry in <see cref="KubeResources.All"/> plus, where it needs them, its own defaults and table columns.
/// <see cref="Admit"/>, when set, defaults and validates a create (current null) or an update, throwing a 422.
/// </summary>
public sealed record KubeResource(
    string Group, string Version, string Plural, string Singular, string Kind, bool Namespaced, string[] ShortNames,
    Func<System.Text.Json.Nodes.JsonObject, IReadOnlyList<TableColumn>, DateTimeOffset, List<object?>>? Cells = null,
    IReadOnlyList<TableColumn>? Columns = null,
    IReadOnlyDictionary<int, ProtoField>? Protobuf = null,
    Action<System.Text.Json.Nodes.JsonObject?, System.Text.Json.Nodes.JsonObject>? Admit = null)
{
    public static readonly string[] AllVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    /// <summary>"v1" for the core group, else "group/version", as apiVersion is written.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The store key: resources of one group share nothing with same-named resources of another.</summary>
    public string Key => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

/// <summary>A column of a meta.k8s.io/v1 Table, as kubectl prints it.</summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);

public static class KubeResources
{
    private static readonly TableColumn NameColumn = new("Name", "string", "name", "Name must be unique within a namespace.");
    private static readonly TableColumn AgeColumn = new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public static readonly KubeResource Namespaces = new(
        "", "v1", "namespaces", "namespace", "Namespace", false, ["ns"],
        (obj, _, now) => [Name(obj), obj["status"]?["phase"]?.GetValue<string>() ?? "Active", Age(obj, now)],
        [NameColumn, new("Status", "string", "", "The status of the namespace"), AgeColumn],
        new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, KubeProtobuf.ObjectMeta),
            [2] = new("spec", ProtoKind.Message, new Dictionary<int, ProtoField> { [1] = new("finalizers", ProtoKind.RepeatedString) }),
            [3] = new("status", ProtoKind.Message, new Dictionary<int, ProtoField> { [1] = new("phase", ProtoKind.String) }),
        });

    public static readonly KubeResource ConfigMaps = new(
        "", "v1", "configmaps", "configmap", "ConfigMap", true, ["cm"],
        (obj, _, now) => [Name(obj), ((obj["data"] as System.Text.Json.Nodes.JsonObject)?.Count ?? 0) + ((obj["binaryData"] as System.Text.Json.Nodes.JsonObject)?.Count ?? 0), Age(obj, now)],
        [NameColumn, new("Data", "string", "", "Data contains the configuration data."), AgeColumn],
        new Dictionary<int, ProtoField>
        {
            [1] = new("metadata", ProtoKind.Message, KubeProtobuf.ObjectMeta),
            [2] = new("data", ProtoKind.MapStringString),
            [3] = new("binaryData", ProtoKind.MapStringBytes),
            [4] = new("immutable", ProtoKind.Bool),
        });

    // Cluster-scoped; the node controller (NodeController) registers one per InService node group instance.
    public static readonly KubeResource Nodes = new(
        "", "v1", "nodes", "node", "Node", false, ["no"],
        (obj, _, now) => [Name(obj), NodeStatus(obj), NodeRoles(obj), Age(obj, now), obj["status"]?["nodeInfo"]?["kubeletVersion"]?.GetValue<string>() ?? ""],
        [NameColumn, new("Status", "string", "", "The status of the node"), new("Roles", "string", "", "The roles of the node"), AgeColumn,
            new("Version", "string", "", "Kubelet Version reported by the node.")]);

    // Services, Ingresses and IngressClasses are served as JSON (no protobuf schema here: a protobuf body is
    // answered 415, which clients that can fall back to JSON do). Columns follow kubectl's printers.
    public static readonly KubeResource Services = new(
        "", "v1", "services", "service", "Service", true, ["svc"],
        (obj, _, now) => [Name(obj), Str(obj["spec"]?["type"]) ?? "ClusterIP", Str(obj["spec"]?["clusterIP"]) ?? "<none>",
            LoadBalancerHosts(obj), ServicePorts(obj), Age(obj, now)],
        [NameColumn, new("Type", "string", "", "The type of service."), new("Cluster-IP", "string", "", "The cluster IP."),
            new("External-IP", "string", "", "The external IP or load balancer host name."), new("Port(s)", "string", "", "The ports."), AgeColumn]);

    public static readonly KubeResource Ingresses = new(
        "networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, ["ing"],
        (obj, _, now) => [Name(obj), Str(obj["spec"]?["ingressClassName"]) ?? "<none>", IngressHosts(obj), LoadBalancerHosts(obj, ""), "80", Age(obj, now)],
        [NameColumn, new("Class", "string", "", "The ingress class."), new("Hosts", "string", "", "The rule hosts."),
            new("Address", "string", "", "The load balancer address."), new("Ports", "string", "", "The ports."), AgeColumn]);

    public static readonly KubeResource IngressClasses = new(
        "networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, [],
        (obj, _, now) => [Name(obj), Str(obj["spec"]?["controller"]) ?? "", Str(obj["spec"]?["parameters"]?["name"]) ?? "<none>", Age(obj, now)],
        [NameColumn, new("Controller", "string", "", "The controller."), new("Parameters", "string", "", "The parameters."), AgeColumn]);

    // Pods: kubectl's columns (Pods.cs); the status is the kubelet's, which the VpcCniController plays.
    public static readonly KubeResource Pods = new("", "v1", "pods", "pod", "Pod", true, ["po"], PodTable.Cells, PodTable.Columns);

    public static readonly IReadOnlyList<KubeResource> All = [Namespaces, ConfigMaps, Services, Ingresses, IngressClasses, Nodes, Pods, KubeStorageClasses.Resource];

    private static string? Str(System.Text.Json.Nodes.JsonNode? node) => node is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string LoadBalancerHosts(System.Text.Json.Nodes.JsonObject obj, string none = "<pending>")
    {
        var ingress = obj["status"]?["loadBalancer"]?["ingress"] as System.Text.Json.Nodes.JsonArray;
        var hosts = ingress?.Select(i => Str(i?["hostname"]) ?? Str(i?["ip"])).Where(h => h is not null).ToList() ?? [];
        if (hosts.Count > 0) return string.Join(",", hosts);
        return Str(obj["spec"]?["type"]) is "LoadBalancer" || obj["kind"]?.ToString() == "Ingress" ? none : "<none>";
    }

    private static string ServicePorts(System.Text.Json.Nodes.JsonObject obj)
    {
        var ports = obj["spec"]?["ports"] as System.Text.Json.Nodes.JsonArray;
        if (ports is null || ports.Count == 0) return "<none>";
        return string.Join(",", ports.Select(p =>
        {
            var nodePort = p?["nodePort"]?.ToString();
            return $"{p?["port"]}{(nodePort is null ? "" : ":" + nodePort)}/{Str(p?["protocol"]) ?? "TCP"}";
        }));
    }

    private static string IngressHosts(System.Text.Json.Nodes.JsonObject obj)
    {
        var rules = obj["spec"]?["rules"] as System.Text.Json.Nodes.JsonArray;
        var hosts = rules?.Select(r => Str(r?["host"])).Where(h => h is not null).ToList() ?? [];
        return hosts.Count == 0 ? "*" : string.Join(",", hosts);
    }

    private static string NodeStatus(System.Text.Json.Nodes.JsonObject obj) =>
        (obj["status"]?["conditions"] as System.Text.Json.Nodes.JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready")?["status"]?.GetValue<string>() == "True"
            ? "Ready" : "NotReady";

    private static string NodeRoles(System.Text.Json.Nodes.JsonObject obj)
    {
        var roles = (obj["metadata"]?["labels"] as System.Text.Json.Nodes.JsonObject)?
            .Where(l => l.Key.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(l => l.Key["node-role.kubernetes.io/".Length..]).ToList();
        return roles is { Count: > 0 } ? string.Join(",", roles) : "<none>";
    }

    public static KubeResource? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public static IEnumerable<IGrouping<string, KubeResource>> NamedGroups() =>
        All.Where(r => r.Group.Length > 0).GroupBy(r => r.Group);

    public static string Name(System.Text.Json.Nodes.JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>kubectl's short age format: 45s, 12m, 3h, 2d.</summary>
    public static string Age(System.Text.Json.Nodes.JsonObject obj, DateTimeOffset now)
    {
        var text = obj["metadata"]?["creationTimestamp"]?.GetValue<string>();
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var created))
            return "<unknown>";
        var age = now - created;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 2 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 2 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
