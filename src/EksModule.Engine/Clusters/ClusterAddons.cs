using EksModule.Engine.Upgrades;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Clusters;

/// <summary>One add-on New-EksCluster wants on a cluster: what EKS has now (null: not installed) and the version it would install.</summary>
public sealed record ClusterAddonPlan(string Name, Addon? Existing, string? Version)
{
    public bool Missing => Existing is null;
}

/// <summary>
/// The add-ons New-EksCluster installs as EKS add-ons instead of letting CreateCluster bootstrap them as self-managed
/// workloads: planning (reads only, so bad names and versions surface before anything is created), one CreateAddon
/// per missing add-on, and the wait, all through the add-on API the add-on cmdlets use.
/// </summary>
public sealed class ClusterAddons
{
    /// <summary>What CreateCluster bootstraps unless bootstrapSelfManagedAddons is false (botocore's eks model says so).</summary>
    public static readonly IReadOnlyList<string> Defaults = new[] { "vpc-cni", "kube-proxy", "coredns" };

    private readonly UpgradeService _addons;

    public ClusterAddons(UpgradeService addons) => _addons = addons;

    /// <summary>
    /// What installing <paramref name="names"/> would do on <paramref name="clusterName"/> (null: a cluster not yet
    /// created) at <paramref name="kubernetesVersion"/>: each add-on's current state, or EKS's default version for it.
    /// Null when the endpoint has no add-on API (plain moto answers 404).
    /// </summary>
    public async Task<IReadOnlyList<ClusterAddonPlan>?> PlanAsync(string? clusterName, string kubernetesVersion, IReadOnlyList<string> names, CancellationToken ct)
    {
        var plan = new List<ClusterAddonPlan>();
        try
        {
            foreach (var name in names)
            {
                var existing = clusterName is null ? null : await _addons.Api.TryDescribeAddonAsync(clusterName, name, ct).ConfigureAwait(false);
                var version = existing is null ? await _addons.ResolveAddonVersionAsync(name, kubernetesVersion, null, ct).ConfigureAwait(false) : null;
                plan.Add(new ClusterAddonPlan(name, existing, version));
            }
        }
        catch (Exception e) when (UpgradeService.IsUnsupported(e))
        {
            return null;
        }
        return plan;
    }

    public Task<Addon> CreateAsync(string clusterName, ClusterAddonPlan addon, CancellationToken ct) =>
        _addons.Api.CreateAddonAsync(clusterName, new CreateAddonRequest
        {
            AddonName = addon.Name,
            AddonVersion = addon.Version,
            ClientRequestToken = Guid.NewGuid().ToString(),
        }, ct);

    /// <summary>Waits for one add-on the way Add-EksAddon does: until ACTIVE, or DEGRADED for want of nodes (<see cref="UpgradeService.IsWaitingForNodes"/>).</summary>
    public Task<Addon> WaitAsync(string clusterName, string addonName, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct) =>
        _addons.WaitForAddonAsync(clusterName, addonName, false, timeout, progress, ct);
}
