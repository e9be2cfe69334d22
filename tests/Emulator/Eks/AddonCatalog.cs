using System.Text.Json.Nodes;

namespace EksEmulator.Eks;

/// <summary>One add-on version and the cluster versions it runs on; <see cref="DefaultFor"/> are those where it is the default.</summary>
public sealed record AddonVersionEntry(string Version, string[] ClusterVersions, string[] DefaultFor, bool RequiresIamPermissions = false);

/// <summary>
/// One add-on EKS offers, with its versions newest first (as DescribeAddonVersions lists them) and the top-level
/// keys its configuration schema accepts. <see cref="EnvStringKeys"/> marks a schema whose "env" object takes
/// only string values (vpc-cni's).
/// </summary>
/// <see cref="NeedsNodes"/> marks an add-on that runs a Deployment, whose pods need a node (DaemonSets do not).
public sealed record AddonDefinition(string Name, string Type, string Namespace, AddonVersionEntry[] Versions, string[] ConfigurationKeys, bool EnvStringKeys = false,
    bool NeedsNodes = false)
{
    public AddonVersionEntry? Find(string version) => Versions.FirstOrDefault(v => v.Version == version);

    public AddonVersionEntry? DefaultFor(string clusterVersion) =>
        Versions.FirstOrDefault(v => v.DefaultFor.Contains(clusterVersion)) ?? Versions.FirstOrDefault(v => v.ClusterVersions.Contains(clusterVersion));
}

/// <summary>
/// The add-ons the emulator offers. Versions and compatibility follow the pattern of EKS's DescribeAddonVersions:
/// kube-proxy and coredns track the cluster minor closely; vpc-cni, the EBS CSI driver and the Pod Identity agent
/// span many minors; snapshot-controller stops at 1.33 so that an upgrade beyond it fails the add-on preflight.
/// </summary>
public static class AddonCatalog
{
    private static readonly string[] All = EksService.SupportedVersions;

    private static string[] Range(string from, string to) =>
        All.Where(v => Version.Parse(v) >= Version.Parse(from) && Version.Parse(v) <= Version.Parse(to)).ToArray();

    public static readonly IReadOnlyList<AddonDefinition> Addons =
    [
        new("vpc-cni", "networking", "kube-system",
        [
            new("v1.19.5-eksbuild.1", Range("1.31", "1.35"), Range("1.33", "1.35"), RequiresIamPermissions: true),
            new("v1.19.2-eksbuild.1", Range("1.30", "1.34"), ["1.31", "1.32"], RequiresIamPermissions: true),
            new("v1.18.3-eksbuild.3", Range("1.30", "1.32"), ["1.30"], RequiresIamPermissions: true),
        ], ["env", "init", "nodeAgent", "resources", "tolerations", "affinity", "livenessProbeTimeoutSeconds", "readinessProbeTimeoutSeconds", "enableNetworkPolicy"], EnvStringKeys: true),
        new("coredns", "networking", "kube-system",
        [
            new("v1.12.1-eksbuild.2", Range("1.34", "1.35"), Range("1.34", "1.35")),
            new("v1.11.4-eksbuild.14", Range("1.32", "1.33"), Range("1.32", "1.33")),
            new("v1.11.3-eksbuild.2", Range("1.30", "1.31"), Range("1.30", "1.31")),
        ], ["replicaCount", "resources", "tolerations", "affinity", "nodeSelector", "corefile", "autoScaling", "podDisruptionBudget"], NeedsNodes: true),
        new("kube-proxy", "networking", "kube-system",
            All.Reverse().Select(v => new AddonVersionEntry($"v{v}.0-eksbuild.2", [v], [v])).ToArray(),
            ["mode", "ipvs", "resources", "podAnnotations"]),
        new("aws-ebs-csi-driver", "storage", "kube-system",
        [
            new("v1.44.0-eksbuild.1", Range("1.30", "1.35"), Range("1.30", "1.35"), RequiresIamPermissions: true),
            new("v1.38.1-eksbuild.2", Range("1.30", "1.33"), [], RequiresIamPermissions: true),
        ], ["controller", "node", "sidecars", "storageClasses", "volumeSnapshotClasses", "defaultStorageClass"], NeedsNodes: true),
        new("eks-pod-identity-agent", "security", "kube-system",
        [
            new("v1.3.7-eksbuild.2", Range("1.30", "1.35"), Range("1.30", "1.35")),
            new("v1.3.4-eksbuild.1", Range("1.30", "1.33"), []),
        ], ["agent", "resources", "tolerations", "affinity"]),
        new("snapshot-controller", "storage", "kube-system",
        [
            new("v8.2.0-eksbuild.1", Range("1.30", "1.33"), Range("1.30", "1.33")),
        ], ["controller", "resources"], NeedsNodes: true),
    ];

    public static AddonDefinition? Find(string name) => Addons.FirstOrDefault(a => a.Name == name);

    /// <summary>Checks configurationValues against the add-on's schema: a JSON object of known top-level keys.</summary>
    public static string? ConfigurationProblem(AddonDefinition addon, string configurationValues)
    {
        JsonNode? parsed;
        try { parsed = JsonNode.Parse(configurationValues); }
        catch (System.Text.Json.JsonException e) { return $"ConfigurationValue provided in request is not supported: not valid JSON ({e.Message})"; }
        if (parsed is not JsonObject root) return "ConfigurationValue provided in request is not supported: it must be a JSON object";
        foreach (var (key, value) in root)
        {
            if (!addon.ConfigurationKeys.Contains(key))
                return $"ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.{key}: is not defined in the schema and the schema does not allow additional properties]";
            if (key == "env" && addon.EnvStringKeys)
            {
                if (value is not JsonObject env) return "ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.env: object expected]";
                foreach (var (name, setting) in env)
                    if (setting is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)
                        return $"ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.env.{name}: integer found, string expected]";
            }
        }
        return null;
    }
}
