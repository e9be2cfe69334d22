using System.Globalization;
using System.Text.RegularExpressions;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.NodeGroups;

namespace EksModule.Engine.Upgrades;

public enum UpgradeStepKind { ClusterConfig, ControlPlane, Addon, NodeGroup }

/// <summary>One step of an upgrade: what changes, from and to which version, and whether this run carries it out.</summary>
public sealed record UpgradeStep(UpgradeStepKind Kind, string Resource, string? FromVersion, string ToVersion, bool Included, string Description);

/// <summary>An upgrade worked out before anything is sent: its steps in order, and what blocks it.</summary>
public sealed record UpgradePlan(string ClusterName, string CurrentVersion, string TargetVersion, IReadOnlyList<UpgradeStep> Steps,
    IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings);

/// <summary>An installed add-on with the versions EKS offers for the target Kubernetes version.</summary>
public sealed record AddonCandidate(Addon Addon, IReadOnlyList<AddonVersionInfo> VersionsForTarget);

/// <summary>The upgrade rules, free of I/O so they can be tested on their own.</summary>
public static partial class UpgradePlanner
{
    /// <summary>Kubernetes' skew policy (1.28 and later): a kubelet may be up to three minors older than the API server.</summary>
    public const int KubeletSkew = 3;

    /// <summary>
    /// EKS upgrades one minor at a time. The current version is accepted too, so a rerun after a failure
    /// finishes the add-ons and node groups of an upgrade whose control plane step is done.
    /// </summary>
    public static IReadOnlyList<string> AllowedTargets(string currentVersion)
    {
        var allowed = new List<string> { currentVersion };
        if (KubernetesVersions.Next(currentVersion) is { } next) allowed.Insert(0, next);
        return allowed;
    }

    /// <summary>Refuses any target but the next minor (or the current one, to finish an upgrade), naming the allowed versions.</summary>
    public static void CheckTarget(string clusterName, string currentVersion, string requested)
    {
        if (!VersionPattern().IsMatch(requested))
            throw new ModuleOperationException("InvalidKubernetesVersion", "InvalidArgument",
                $"'{requested}' is not a Kubernetes minor version such as 1.31. Cluster {clusterName} is at {currentVersion}; {DescribeAllowed(currentVersion)}");
        if (AllowedTargets(currentVersion).Contains(requested)) return;
        throw new ModuleOperationException("UnsupportedVersionUpgrade", "InvalidArgument",
            $"Cluster {clusterName} is at Kubernetes {currentVersion} and EKS upgrades one minor version at a time, so it cannot go to {requested} now. {DescribeAllowed(currentVersion)}");
    }

    private static string DescribeAllowed(string currentVersion) =>
        KubernetesVersions.Next(currentVersion) is { } next
            ? $"Allowed: -KubernetesVersion {next} (the next minor), or {currentVersion} to finish the add-ons and node groups of an upgrade already made. Upgrade again afterwards to go further."
            : $"{currentVersion} is the newest version this module knows; allowed: -KubernetesVersion {currentVersion} to finish add-ons and node groups.";

    /// <summary>The add-on version to move to: EKS's default for the cluster version, else the newest compatible one.</summary>
    public static string? ChooseAddonVersion(IEnumerable<AddonVersionInfo> versions, string clusterVersion)
    {
        var compatible = versions.Where(v => v.Compatibilities.Any(c => c.ClusterVersion == clusterVersion)).ToList();
        var chosen = compatible.FirstOrDefault(v => v.Compatibilities.Any(c => c.ClusterVersion == clusterVersion && c.DefaultVersion))
            ?? compatible.OrderByDescending(v => v.AddonVersion, AddonVersionComparer.Instance).FirstOrDefault();
        return chosen?.AddonVersion;
    }

    /// <summary>The newest version compatible with the cluster version.</summary>
    public static string? LatestAddonVersion(IEnumerable<AddonVersionInfo> versions, string clusterVersion) =>
        versions.Where(v => v.Compatibilities.Any(c => c.ClusterVersion == clusterVersion))
            .OrderByDescending(v => v.AddonVersion, AddonVersionComparer.Instance).FirstOrDefault()?.AddonVersion;

    public static UpgradePlan Build(string clusterName, string currentVersion, string targetVersion, IReadOnlyList<AddonCandidate> addons,
        IReadOnlyList<Nodegroup> nodegroups, IReadOnlyList<InsightSummary> insights, bool includeAddons, bool includeNodeGroups)
    {
        var steps = new List<UpgradeStep>();
        var problems = new List<string>();
        var warnings = new List<string>();

        if (currentVersion != targetVersion)
            steps.Add(new(UpgradeStepKind.ControlPlane, clusterName, currentVersion, targetVersion, true,
                $"Upgrade the control plane of {clusterName} from Kubernetes {currentVersion} to {targetVersion}"));

        foreach (var candidate in addons.OrderBy(a => a.Addon.AddonName, StringComparer.Ordinal))
        {
            var addon = candidate.Addon;
            var chosen = ChooseAddonVersion(candidate.VersionsForTarget, targetVersion);
            if (chosen is null)
            {
                problems.Add($"Add-on {addon.AddonName} ({addon.AddonVersion}) has no version for Kubernetes {targetVersion}: remove it (Remove-EksAddon) or wait until EKS offers one.");
                continue;
            }
            var installedFits = candidate.VersionsForTarget.Any(v => v.AddonVersion == addon.AddonVersion);
            // Never move an add-on backwards: a newer installed version that runs on the target stays.
            if (addon.AddonVersion == chosen || (installedFits && AddonVersionComparer.Instance.Compare(addon.AddonVersion, chosen) > 0)) continue;
            steps.Add(new(UpgradeStepKind.Addon, addon.AddonName, addon.AddonVersion, chosen, includeAddons,
                $"Update add-on {addon.AddonName} of {clusterName} from {addon.AddonVersion} to {chosen} (the default for {targetVersion})"
                + (includeAddons ? string.Empty : "; not carried out without -IncludeAddons")));
            if (!installedFits && !includeAddons)
                warnings.Add($"Add-on {addon.AddonName} {addon.AddonVersion} does not support Kubernetes {targetVersion}; update it right after the control plane (-IncludeAddons).");
        }

        var targetMinor = Minor(targetVersion);
        foreach (var nodegroup in nodegroups.OrderBy(n => n.NodegroupName, StringComparer.Ordinal))
        {
            var version = nodegroup.Version ?? currentVersion;
            if (targetMinor - Minor(version) > KubeletSkew)
                problems.Add($"Node group {nodegroup.NodegroupName} runs Kubernetes {version}, more than {KubeletSkew} minor versions behind {targetVersion} " +
                             $"(the kubelet skew Kubernetes supports): upgrade it first (Update-EksControlPlane -KubernetesVersion {currentVersion} -IncludeNodeGroups).");
            if (version == targetVersion) continue;
            steps.Add(new(UpgradeStepKind.NodeGroup, nodegroup.NodegroupName, version, targetVersion, includeNodeGroups,
                $"Update node group {nodegroup.NodegroupName} of {clusterName} from Kubernetes {version} to {targetVersion}"
                + (includeNodeGroups ? string.Empty : "; not carried out without -IncludeNodeGroups")));
        }

        foreach (var insight in insights)
        {
            var status = insight.InsightStatus?.Status;
            var text = $"EKS upgrade insight '{insight.Name}' is {status}: {insight.InsightStatus?.Reason}";
            if (status == "ERROR" && currentVersion != targetVersion) problems.Add(text);
            else if (status is "WARNING" or "ERROR") warnings.Add(text);
        }

        return new UpgradePlan(clusterName, currentVersion, targetVersion, steps, problems.Distinct().ToList(), warnings);
    }

    internal static int Minor(string version) => int.Parse(version.Split('.')[1], CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^1\.\d{1,3}$")]
    private static partial Regex VersionPattern();
}

/// <summary>Orders add-on versions such as v1.19.5-eksbuild.1 by their numbers (version, then build).</summary>
public sealed partial class AddonVersionComparer : IComparer<string?>
{
    public static readonly AddonVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Numbers(x);
        var b = Numbers(y);
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            var left = i < a.Count ? a[i] : -1;
            var right = i < b.Count ? b[i] : -1;
            if (left != right) return left.CompareTo(right);
        }
        return string.CompareOrdinal(x, y);
    }

    private static List<long> Numbers(string? version) =>
        version is null ? new() : Digits().Matches(version).Select(m => long.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
