using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EksEmulator.Kube;

/// <summary>
/// storage.k8s.io/v1 StorageClasses as the apiserver serves them: defaults (reclaimPolicy Delete, volumeBindingMode
/// Immediate), the create validation and the update rule that provisioner, parameters, reclaimPolicy and
/// volumeBindingMode never change, kubectl's table with the "(default)" marker, and the gp2 class EKS installs.
/// </summary>
public static partial class KubeStorageClasses
{
    public const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";
    public const string BetaDefaultAnnotation = "storageclass.beta.kubernetes.io/is-default-class";

    private static readonly string[] ReclaimPolicies = ["Delete", "Retain"];
    private static readonly string[] BindingModes = ["Immediate", "WaitForFirstConsumer"];
    private const int MaxParametersSize = 256 * 1024;

    public static readonly KubeResource Resource = new(
        "storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, ["sc"],
        (obj, _, now) =>
        [
            KubeResources.Name(obj) + (IsDefault(obj) ? " (default)" : ""),
            Str(obj["provisioner"]) ?? "",
            Str(obj["reclaimPolicy"]) ?? "Delete",
            Str(obj["volumeBindingMode"]) ?? "Immediate",
            obj["allowVolumeExpansion"] is JsonValue v && v.TryGetValue<bool>(out var expand) && expand,
            KubeResources.Age(obj, now),
        ],
        [
            new("Name", "string", "name", "Name must be unique within a namespace."),
            new("Provisioner", "string", "", "Indicates the type of the provisioner."),
            new("ReclaimPolicy", "string", "", "Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy. Defaults to Delete."),
            new("VolumeBindingMode", "string", "", "VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used."),
            new("AllowVolumeExpansion", "string", "", "AllowVolumeExpansion shows whether the storage class allow volume expand."),
            new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        ],
        // Served as JSON only, as Services are: kubectl 1.32 sends StorageClasses as JSON (create -f, apply, replace,
        // patch all go through its unstructured client), and a protobuf body is answered 415.
        Protobuf: null,
        Admit: Admit);

    /// <summary>
    /// The StorageClass an EKS cluster starts with: gp2 on the in-tree provisioner name (served by the EBS CSI driver
    /// through CSI migration). Clusters created at 1.30 or later get it without the default annotation (EKS release
    /// notes for 1.30); older ones had it marked default.
    /// </summary>
    public static void SeedEksDefaults(KubeObjectStore objects, string clusterVersion, DateTimeOffset now)
    {
        var metadata = new JsonObject { ["name"] = "gp2" };
        if (Version.Parse(clusterVersion) < new Version(1, 30))
            metadata["annotations"] = new JsonObject { [DefaultAnnotation] = "true" };
        var gp2 = new JsonObject
        {
            ["metadata"] = metadata,
            ["provisioner"] = "kubernetes.io/aws-ebs",
            ["parameters"] = new JsonObject { ["fsType"] = "ext4", ["type"] = "gp2" },
            ["reclaimPolicy"] = "Delete",
            ["volumeBindingMode"] = "WaitForFirstConsumer",
        };
        objects.Run(view => view.Create(Resource, "", gp2, now));
    }

    public static bool IsDefault(JsonObject obj)
    {
        var annotations = obj["metadata"]?["annotations"] as JsonObject;
        return Str(annotations?[DefaultAnnotation]) == "true" || Str(annotations?[BetaDefaultAnnotation]) == "true";
    }

    /// <summary>Defaults, then validates a create (<paramref name="current"/> null) or an update, as the storage registry does.</summary>
    private static void Admit(JsonObject? current, JsonObject obj)
    {
        obj["reclaimPolicy"] ??= "Delete";
        obj["volumeBindingMode"] ??= "Immediate";
        var name = KubeResources.Name(obj);
        var causes = new List<KubeStatusCause>();
        if (current is null)
        {
            var provisioner = Str(obj["provisioner"]) ?? "";
            if (provisioner.Length == 0) causes.Add(new("FieldValueRequired", "Required value", "provisioner"));
            else if (!QualifiedName().IsMatch(provisioner.ToLowerInvariant()) || provisioner.Split('/')[^1].Length > 63)
                causes.Add(new("FieldValueInvalid",
                    $"Invalid value: \"{provisioner}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                    "provisioner"));
            if (obj["parameters"] is JsonObject parameters && parameters.Sum(p => p.Key.Length + (Str(p.Value)?.Length ?? 0)) > MaxParametersSize)
                causes.Add(new("FieldValueTooLong", $"Too long: must have at most {MaxParametersSize} bytes", "parameters"));
            NotSupported(obj, "reclaimPolicy", ReclaimPolicies, causes);
            NotSupported(obj, "volumeBindingMode", BindingModes, causes);
        }
        else
        {
            if (!JsonNode.DeepEquals(current["parameters"] ?? new JsonObject(), obj["parameters"] ?? new JsonObject()))
                causes.Add(new("FieldValueForbidden", "Forbidden: updates to parameters are forbidden.", "parameters"));
            if (Str(current["provisioner"]) != Str(obj["provisioner"]))
                causes.Add(new("FieldValueForbidden", "Forbidden: updates to provisioner are forbidden.", "provisioner"));
            if (Str(current["reclaimPolicy"]) != Str(obj["reclaimPolicy"]))
                causes.Add(new("FieldValueForbidden", "Forbidden: updates to reclaimPolicy are forbidden.", "reclaimPolicy"));
            if (Str(current["volumeBindingMode"]) != Str(obj["volumeBindingMode"]))
                causes.Add(new("FieldValueInvalid", $"Invalid value: \"{Str(obj["volumeBindingMode"])}\": field is immutable", "volumeBindingMode"));
        }

        if (causes.Count > 0) throw KubeStatusException.Invalid(Resource, name, causes);
    }

    private static void NotSupported(JsonObject obj, string field, string[] supported, List<KubeStatusCause> causes)
    {
        var value = Str(obj[field]) ?? "";
        if (!supported.Contains(value))
            causes.Add(new("FieldValueNotSupported",
                $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}", field));
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // IsQualifiedName: an optional DNS-subdomain prefix and '/', then a name part.
    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([a-z0-9][-a-z0-9_.]*)?[a-z0-9]$")]
    private static partial Regex QualifiedName();
}
