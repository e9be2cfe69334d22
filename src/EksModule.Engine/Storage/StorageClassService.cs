using System.Net;
using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Kubernetes;
using EksModule.Engine.Upgrades;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace EksModule.Engine.Storage;

/// <summary>A cluster's StorageClass as the module reports it, with the EBS CSI driver's parameters read out.</summary>
public sealed record StorageClassInfo(
    string ClusterName,
    string Name,
    string Provisioner,
    bool IsDefault,
    IReadOnlyDictionary<string, string> Parameters,
    string ReclaimPolicy,
    string VolumeBindingMode,
    bool AllowVolumeExpansion,
    DateTime? CreationTimestamp)
{
    /// <summary>A parameter by the driver's rules: keys are case-insensitive (fstype excepted, which it reads exactly).</summary>
    public string? Parameter(string key) =>
        Parameters.TryGetValue(key, out var exact) ? exact
        : Parameters.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>One Kubernetes write New-EksStorageClass would make, described for ShouldProcess.</summary>
public sealed record StorageClassChange(string Description, Func<CancellationToken, Task> Apply);

/// <summary>The writes that bring a cluster to the wanted class (empty when it already is), the class's own first.</summary>
public sealed record StorageClassPlan(string ClusterName, StorageClassSpec Spec, bool Exists, IReadOnlyList<StorageClassChange> Changes);

/// <summary>
/// EBS-backed StorageClasses through the cluster's Kubernetes API. Planning only reads; a class that exists in another
/// shape is refused (Kubernetes never lets provisioner, parameters, reclaimPolicy or volumeBindingMode change), while
/// allowVolumeExpansion and the default marker are patched. -MakeDefault leaves exactly one class marked default.
/// </summary>
public sealed class StorageClassService
{
    public const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";
    public const string BetaDefaultAnnotation = "storageclass.beta.kubernetes.io/is-default-class";
    public const string EbsCsiAddonName = "aws-ebs-csi-driver";

    private readonly KubernetesAccess _access;
    private readonly UpgradeApi _addons;

    public StorageClassService(AwsSession session)
    {
        _access = new KubernetesAccess(session);
        _addons = new UpgradeApi(new EksApi(session));
    }

    private Task<IKubernetes> KubernetesAsync(string clusterName, CancellationToken ct) => _access.ClientAsync(clusterName, ct);

    public async Task<IReadOnlyList<StorageClassInfo>> ListAsync(string clusterName, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(clusterName, ct).ConfigureAwait(false);
        var list = await k8s.StorageV1.ListStorageClassAsync(cancellationToken: ct).ConfigureAwait(false);
        return list.Items.Select(c => ToInfo(clusterName, c)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<StorageClassInfo?> TryGetAsync(string clusterName, string name, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(clusterName, ct).ConfigureAwait(false);
        try { return ToInfo(clusterName, await k8s.StorageV1.ReadStorageClassAsync(name, cancellationToken: ct).ConfigureAwait(false)); }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    /// <summary>Deletes a class; false when it was not there. Volumes provisioned from it keep their settings.</summary>
    public async Task<bool> DeleteAsync(string clusterName, string name, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(clusterName, ct).ConfigureAwait(false);
        try
        {
            await k8s.StorageV1.DeleteStorageClassAsync(name, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound) { return false; }
    }

    /// <summary>Whether the EBS CSI driver add-on is installed: null when the endpoint has no add-on API to ask.</summary>
    public async Task<bool?> IsEbsCsiDriverInstalledAsync(string clusterName, CancellationToken ct)
    {
        try { return await _addons.TryDescribeAddonAsync(clusterName, EbsCsiAddonName, ct).ConfigureAwait(false) is not null; }
        catch (Exception e) when (UpgradeService.IsUnsupported(e)) { return null; }
    }

    /// <summary>Reads the cluster's classes (no writes) and returns the writes that would bring it to <paramref name="spec"/>.</summary>
    public async Task<StorageClassPlan> PlanAsync(string clusterName, StorageClassSpec spec, CancellationToken ct)
    {
        var k8s = await KubernetesAsync(clusterName, ct).ConfigureAwait(false);
        var classes = (await k8s.StorageV1.ListStorageClassAsync(cancellationToken: ct).ConfigureAwait(false)).Items;
        var existing = classes.FirstOrDefault(c => c.Metadata?.Name == spec.Name);
        var where = $"in cluster '{clusterName}'";
        var changes = new List<StorageClassChange>();
        if (existing is null)
        {
            var body = NewStorageClass(spec);
            changes.Add(new StorageClassChange(
                $"Create StorageClass '{spec.Name}' {where}: {StorageClassSpec.Provisioner}, {Describe(spec.Parameters())}, reclaimPolicy {spec.ReclaimPolicy}, " +
                $"volumeBindingMode {spec.VolumeBindingMode}, allowVolumeExpansion {Lower(spec.AllowVolumeExpansion)}{(spec.MakeDefault ? ", marked as the cluster's default" : "")}",
                c => k8s.StorageV1.CreateStorageClassAsync(body, cancellationToken: c)));
        }
        else
        {
            var differences = ImmutableDifferences(existing, spec);
            if (differences.Count > 0)
                throw new ModuleOperationException("StorageClassShapeConflict", "ResourceExists",
                    $"StorageClass '{spec.Name}' {where} already exists with {string.Join("; ", differences)}. Kubernetes does not let a StorageClass's " +
                    "provisioner, parameters, reclaimPolicy or volumeBindingMode change. Remove it with " +
                    $"Remove-EksStorageClass -ClusterName {clusterName} -Name {spec.Name} (volumes already provisioned from it keep their settings), then run New-EksStorageClass again.");
            if ((existing.AllowVolumeExpansion ?? false) != spec.AllowVolumeExpansion)
            {
                var patch = new V1Patch(new Dictionary<string, object?> { ["allowVolumeExpansion"] = spec.AllowVolumeExpansion }, V1Patch.PatchType.MergePatch);
                changes.Add(new StorageClassChange($"Set allowVolumeExpansion of StorageClass '{spec.Name}' {where} to {Lower(spec.AllowVolumeExpansion)}",
                    c => k8s.StorageV1.PatchStorageClassAsync(patch, spec.Name, cancellationToken: c)));
            }
            if (spec.MakeDefault && !IsDefault(existing))
            {
                var patch = AnnotationPatch(new Dictionary<string, string> { [DefaultAnnotation] = "true" });
                changes.Add(new StorageClassChange($"Mark StorageClass '{spec.Name}' {where} as the default ({DefaultAnnotation}=true)",
                    c => k8s.StorageV1.PatchStorageClassAsync(patch, spec.Name, cancellationToken: c)));
            }
        }

        if (spec.MakeDefault)
        {
            // Marked first, the others unmarked after: a half-done run leaves two defaults (Kubernetes then picks the
            // newest) rather than none, and a rerun finishes it.
            foreach (var other in classes.Where(c => c.Metadata?.Name != spec.Name).OrderBy(c => c.Metadata?.Name, StringComparer.Ordinal))
            {
                var marked = new[] { DefaultAnnotation, BetaDefaultAnnotation }
                    .Where(key => other.Metadata?.Annotations?.TryGetValue(key, out var value) == true && value == "true").ToList();
                if (marked.Count == 0) continue;
                var name = other.Metadata!.Name;
                var patch = AnnotationPatch(marked.ToDictionary(key => key, _ => "false"));
                changes.Add(new StorageClassChange($"Unmark StorageClass '{name}' {where} as default ({string.Join(", ", marked.Select(k => k + "=false"))})",
                    c => k8s.StorageV1.PatchStorageClassAsync(patch, name, cancellationToken: c)));
            }
        }

        return new StorageClassPlan(clusterName, spec, existing is not null, changes);
    }

    /// <summary>"field is X (wanted Y)" for each field that differs and Kubernetes will not let change.</summary>
    public static IReadOnlyList<string> ImmutableDifferences(V1StorageClass existing, StorageClassSpec spec)
    {
        var differences = new List<string>();
        void Compare(string field, string? current, string? wanted)
        {
            if (!string.Equals(current, wanted, StringComparison.Ordinal))
                differences.Add($"{field} {current ?? "(not set)"} (wanted {wanted ?? "(not set)"})");
        }

        Compare("provisioner", existing.Provisioner, StorageClassSpec.Provisioner);
        var current = existing.Parameters ?? new Dictionary<string, string>();
        var wanted = spec.Parameters();
        foreach (var key in current.Keys.Union(wanted.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal))
            Compare($"parameters.{key}", current.TryGetValue(key, out var c) ? c : null, wanted.TryGetValue(key, out var w) ? w : null);
        Compare("reclaimPolicy", existing.ReclaimPolicy ?? "Delete", spec.ReclaimPolicy);
        Compare("volumeBindingMode", existing.VolumeBindingMode ?? "Immediate", spec.VolumeBindingMode);
        return differences;
    }

    public static bool IsDefault(V1StorageClass storageClass) =>
        storageClass.Metadata?.Annotations is { } annotations
        && (annotations.TryGetValue(DefaultAnnotation, out var value) && value == "true"
            || annotations.TryGetValue(BetaDefaultAnnotation, out var beta) && beta == "true");

    public static V1StorageClass NewStorageClass(StorageClassSpec spec) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = spec.Name,
            Annotations = spec.MakeDefault ? new Dictionary<string, string> { [DefaultAnnotation] = "true" } : null,
        },
        Provisioner = StorageClassSpec.Provisioner,
        Parameters = spec.Parameters().ToDictionary(p => p.Key, p => p.Value),
        ReclaimPolicy = spec.ReclaimPolicy,
        VolumeBindingMode = spec.VolumeBindingMode,
        AllowVolumeExpansion = spec.AllowVolumeExpansion,
    };

    private static StorageClassInfo ToInfo(string clusterName, V1StorageClass c) => new(
        clusterName, c.Metadata.Name, c.Provisioner, IsDefault(c),
        new Dictionary<string, string>(c.Parameters ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        c.ReclaimPolicy ?? "Delete", c.VolumeBindingMode ?? "Immediate", c.AllowVolumeExpansion ?? false, c.Metadata.CreationTimestamp);

    private static V1Patch AnnotationPatch(Dictionary<string, string> annotations) =>
        new(new Dictionary<string, object?> { ["metadata"] = new Dictionary<string, object?> { ["annotations"] = annotations } }, V1Patch.PatchType.MergePatch);

    private static string Describe(IReadOnlyDictionary<string, string> parameters) => string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"));

    private static string Lower(bool value) => value ? "true" : "false";
}
