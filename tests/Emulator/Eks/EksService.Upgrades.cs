using System.Globalization;
using System.Text.Json;

namespace EksEmulator.Eks;

// Upgrades as EKS documents them: UpdateClusterVersion one minor at a time while no other update runs,
// UpdateNodegroupVersion up to the control plane's version, add-ons with per-version compatibility,
// and upgrade insights computed from the cluster's node groups and add-ons.
public sealed partial class EksService
{
    /// <summary>Kubernetes' skew policy since 1.28: a kubelet may be up to three minors older than the API server.</summary>
    public const int KubeletSkew = 3;

    public Task<UpdateResponse> UpdateClusterVersionAsync(string region, string name, UpdateClusterVersionRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, name);
            if (request.ClientRequestToken is not null
                && cluster.Updates.FirstOrDefault(u => u.ClientRequestToken == request.ClientRequestToken) is { } repeated)
                return Task.FromResult(repeated.ToResponse());
            if (string.IsNullOrEmpty(request.Version))
                throw EksException.InvalidParameter("version is required.", clusterName: name);

            var status = cluster.StatusAt(view.Now);
            if (status == ClusterStatus.Updating)
                throw EksException.ResourceInUse($"Cannot update cluster {name} because an update is already in progress.", clusterName: name);
            if (status != ClusterStatus.Active)
                throw EksException.ResourceInUse($"Cluster {name} is in {status} state; it must be ACTIVE to be updated.", clusterName: name);
            if (!SupportedVersions.Contains(request.Version) || MinorOf(request.Version) != MinorOf(cluster.Version) + 1
                || MajorOf(request.Version) != MajorOf(cluster.Version))
                throw EksException.InvalidParameter($"Unsupported Kubernetes minor version update from {cluster.Version} to {request.Version}", clusterName: name);

            var target = request.Version;
            var update = new ClusterUpdate
            {
                Id = Guid.NewGuid().ToString(),
                Type = "VersionUpdate",
                Params = [new UpdateParam("Version", target), new UpdateParam("PlatformVersion", "eks.1")],
                CreatedAt = view.Now,
                CompletesAt = view.Now + timings.Update,
                ClientRequestToken = request.ClientRequestToken,
                Failure = updateFailures.Take("VersionUpdate", name),
                Apply = c =>
                {
                    c.Version = target;
                    c.PlatformVersion = "eks.1";
                },
            };
            cluster.Updates.Add(update);
            return Task.FromResult(update.ToResponse());
        }, cancel);

    public Task<UpdateResponse> UpdateNodegroupVersionAsync(string region, string clusterName, string nodegroupName, UpdateNodegroupVersionRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, clusterName);
            var nodegroup = GetNodegroup(cluster, nodegroupName);
            if (request.ClientRequestToken is not null
                && nodegroup.Updates.FirstOrDefault(u => u.ClientRequestToken == request.ClientRequestToken) is { } repeated)
                return Task.FromResult(repeated.ToResponse());
            var status = nodegroup.StatusAt(view.Now);
            if (status != "ACTIVE")
                throw EksException.ResourceInUse($"Nodegroup {nodegroupName} is in {status} status; it must be ACTIVE to be updated.", clusterName, nodegroupName);
            if (request.LaunchTemplate is not null)
                throw EksException.InvalidParameter("Launch template version updates are not supported by this emulator.", clusterName, nodegroupName);

            // Without a version EKS moves the node group to the control plane's version.
            var target = request.Version ?? cluster.Version;
            if (!SupportedVersions.Contains(target))
                throw EksException.InvalidParameter($"Requested Nodegroup version {target} is invalid.", clusterName, nodegroupName);
            if (Version.Parse(target) > Version.Parse(cluster.Version))
                throw EksException.InvalidParameter($"Requested Nodegroup version {target} is newer than the cluster version {cluster.Version}.", clusterName, nodegroupName);
            if (Version.Parse(target) < Version.Parse(nodegroup.Version))
                throw EksException.InvalidParameter($"Requested Nodegroup version {target} is older than the current version {nodegroup.Version}; node groups cannot be downgraded.", clusterName, nodegroupName);
            var release = request.ReleaseVersion ?? $"{target}.0-20250601";
            if (target == nodegroup.Version && release == nodegroup.ReleaseVersion)
                throw EksException.InvalidParameter($"Nodegroup {nodegroupName} is already at version {target} with release version {release}.", clusterName, nodegroupName);

            var update = new ClusterUpdate
            {
                Id = Guid.NewGuid().ToString(),
                Type = "VersionUpdate",
                Params = [new UpdateParam("Version", target), new UpdateParam("ReleaseVersion", release)],
                CreatedAt = view.Now,
                CompletesAt = view.Now + timings.Update,
                ClientRequestToken = request.ClientRequestToken,
                Failure = updateFailures.Take("VersionUpdate", nodegroupName),
                Apply = _ =>
                {
                    nodegroup.Version = target;
                    nodegroup.ReleaseVersion = release;
                    nodegroup.ModifiedAt = view.Now + timings.Update;
                },
            };
            nodegroup.Updates.Add(update);
            nodegroup.ModifiedAt = view.Now;
            return Task.FromResult(update.ToResponse());
        }, cancel);

    // ---- add-ons ----

    public Task<(List<AddonInfo> Addons, string? NextToken)> DescribeAddonVersionsAsync(string? kubernetesVersion, string? addonName, int? maxResults, string? nextToken)
    {
        if (kubernetesVersion is not null && !SupportedVersions.Contains(kubernetesVersion))
            return Task.FromResult<(List<AddonInfo>, string?)>(([], null));
        var matching = AddonCatalog.Addons.Where(a => addonName is null || a.Name == addonName).ToList();
        var (names, next) = Page(matching.Select(a => a.Name).ToList(), maxResults, nextToken);
        var infos = matching.Where(a => names.Contains(a.Name)).Select(a => new AddonInfo(a.Name, a.Type,
            a.Versions.Where(v => kubernetesVersion is null || v.ClusterVersions.Contains(kubernetesVersion))
                .Select(v => new AddonVersionInfo(v.Version, ["amd64", "arm64"], ["ec2"],
                    v.ClusterVersions.Where(c => kubernetesVersion is null || c == kubernetesVersion)
                        .Select(c => new Compatibility(c, ["*"], v.DefaultFor.Contains(c))).ToList(),
                    false, v.RequiresIamPermissions)).ToList(),
            "eks", "aws", a.Namespace)).Where(i => i.AddonVersions.Count > 0 || kubernetesVersion is null).ToList();
        return Task.FromResult((infos, next));
    }

    public Task<AddonResponse> CreateAddonAsync(string region, string clusterName, CreateAddonRequest request, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var cluster = view.Get(region, clusterName);
            var name = request.AddonName ?? throw EksException.InvalidParameter("addonName is required.", clusterName);
            if (cluster.Addons.TryGetValue(name, out var existing))
            {
                if (request.ClientRequestToken is not null && request.ClientRequestToken == existing.ClientRequestToken)
                    return existing.ToResponse(view.Now, cluster.HasSchedulableNode());
                throw EksException.ResourceInUse("Addon already exists.", clusterName).WithAddon(name);
            }
            var status = cluster.StatusAt(view.Now);
            if (status != ClusterStatus.Active && status != ClusterStatus.Updating)
                throw EksException.InvalidRequest($"Cluster '{clusterName}' is not in ACTIVE status", clusterName).WithAddon(name);
            var definition = AddonCatalog.Find(name)
                ?? throw EksException.InvalidParameter($"Addon {name} specified is not supported in {cluster.Version} kubernetes version", clusterName).WithAddon(name);
            var version = ResolveAddonVersion(definition, request.AddonVersion, cluster, name);
            ValidateAddonSettings(definition, request.ConfigurationValues, request.ResolveConflicts, clusterName);
            if (request.ServiceAccountRoleArn is not null && !await moto.RoleExistsAsync(request.ServiceAccountRoleArn, cancel))
                throw EksException.InvalidParameter($"Role with arn: {request.ServiceAccountRoleArn}, could not be found.", clusterName).WithAddon(name);
            ValidateTags(request.Tags, msg => EksException.InvalidParameter(msg, clusterName));

            var addon = new AddonState
            {
                Name = name,
                Arn = $"arn:aws:eks:{region}:{AccountId}:addon/{clusterName}/{name}/{Guid.NewGuid()}",
                ClusterName = clusterName,
                Version = version,
                NeedsNodes = definition.NeedsNodes,
                ServiceAccountRoleArn = request.ServiceAccountRoleArn,
                ConfigurationValues = request.ConfigurationValues,
                CreatedAt = view.Now,
                ActiveAt = view.Now + timings.Update,
                ModifiedAt = view.Now,
                ClientRequestToken = request.ClientRequestToken,
                Tags = request.Tags is null ? [] : new(request.Tags),
            };
            cluster.Addons.Add(name, addon);
            return addon.ToResponse(view.Now, cluster.HasSchedulableNode());
        }, cancel);

    public Task<AddonResponse> DescribeAddonAsync(string region, string clusterName, string addonName, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, clusterName);
            return Task.FromResult(GetAddon(cluster, addonName).ToResponse(view.Now, cluster.HasSchedulableNode()));
        }, cancel);

    public Task<(List<string> Names, string? NextToken)> ListAddonsAsync(string region, string clusterName, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(Page(view.Get(region, clusterName).Addons.Keys.ToList(), maxResults, nextToken)), cancel);

    public Task<UpdateResponse> UpdateAddonAsync(string region, string clusterName, string addonName, UpdateAddonRequest request, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var cluster = view.Get(region, clusterName);
            var addon = GetAddon(cluster, addonName);
            if (request.ClientRequestToken is not null
                && addon.Updates.FirstOrDefault(u => u.ClientRequestToken == request.ClientRequestToken) is { } repeated)
                return repeated.ToResponse();
            var status = addon.StatusAt(view.Now, cluster.HasSchedulableNode());
            if (status is not ("ACTIVE" or "UPDATE_FAILED" or "DEGRADED"))
                throw EksException.ResourceInUse($"Addon {addonName} is in {status} status; it cannot be updated now.", clusterName).WithAddon(addonName);
            var definition = AddonCatalog.Find(addonName)!;
            var version = request.AddonVersion is null ? addon.Version : ResolveAddonVersion(definition, request.AddonVersion, cluster, addonName);
            ValidateAddonSettings(definition, request.ConfigurationValues, request.ResolveConflicts, clusterName);
            if (request.ServiceAccountRoleArn is { Length: > 0 } role && !await moto.RoleExistsAsync(role, cancel))
                throw EksException.InvalidParameter($"Role with arn: {role}, could not be found.", clusterName).WithAddon(addonName);

            var parameters = new List<UpdateParam>();
            if (request.AddonVersion is not null) parameters.Add(new("AddonVersion", version));
            if (request.ServiceAccountRoleArn is not null) parameters.Add(new("ServiceAccountRoleArn", request.ServiceAccountRoleArn));
            if (request.ResolveConflicts is not null) parameters.Add(new("ResolveConflicts", request.ResolveConflicts));
            if (request.ConfigurationValues is not null) parameters.Add(new("ConfigurationValues", request.ConfigurationValues));
            if (parameters.Count == 0 || (version == addon.Version && request.ConfigurationValues is null && request.ServiceAccountRoleArn is null))
                throw EksException.InvalidParameter($"Addon {addonName} is already at version {addon.Version}; no changes were specified.", clusterName).WithAddon(addonName);

            var update = new ClusterUpdate
            {
                Id = Guid.NewGuid().ToString(),
                Type = "AddonUpdate",
                Params = parameters,
                CreatedAt = view.Now,
                CompletesAt = view.Now + timings.Update,
                ClientRequestToken = request.ClientRequestToken,
                Failure = updateFailures.Take("AddonUpdate", addonName),
                Apply = _ =>
                {
                    addon.Version = version;
                    if (request.ConfigurationValues is not null) addon.ConfigurationValues = request.ConfigurationValues.Length == 0 ? null : request.ConfigurationValues;
                    if (request.ServiceAccountRoleArn is not null) addon.ServiceAccountRoleArn = request.ServiceAccountRoleArn.Length == 0 ? null : request.ServiceAccountRoleArn;
                    addon.LastUpdateFailed = false;
                    addon.ModifiedAt = view.Now + timings.Update;
                },
                OnFailure = _ => addon.LastUpdateFailed = true,
            };
            addon.Updates.Add(update);
            addon.ModifiedAt = view.Now;
            return update.ToResponse();
        }, cancel);

    public Task<AddonResponse> DeleteAddonAsync(string region, string clusterName, string addonName, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, clusterName);
            var addon = GetAddon(cluster, addonName);
            addon.GoneAt ??= view.Now + timings.Delete;
            addon.ModifiedAt = view.Now;
            return Task.FromResult(addon.ToResponse(view.Now, cluster.HasSchedulableNode()));
        }, cancel);

    public Task<UpdateResponse> DescribeAddonUpdateAsync(string region, string clusterName, string addonName, string updateId, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var update = GetAddon(view.Get(region, clusterName), addonName).Updates.FirstOrDefault(u => u.Id == updateId);
            return Task.FromResult((update ?? throw EksException.UpdateNotFound(clusterName, updateId)).ToResponse());
        }, cancel);

    // ---- insights ----

    /// <summary>
    /// Upgrade-readiness insights for the next minor: kubelet skew of the node groups and add-on compatibility,
    /// the two checks EKS runs that the emulator has the state for.
    /// </summary>
    public Task<(List<InsightSummary> Insights, string? NextToken)> ListInsightsAsync(string region, string clusterName, ListInsightsRequest request, CancellationToken cancel) =>
        store.RunAsync(view =>
        {
            var cluster = view.Get(region, clusterName);
            var next = $"{MajorOf(cluster.Version)}.{MinorOf(cluster.Version) + 1}";
            var at = ClusterState.EpochSeconds(view.Now);
            var tooOld = cluster.Nodegroups.Values.Where(n => MinorOf(next) - MinorOf(n.Version) > KubeletSkew).Select(n => $"{n.Name} ({n.Version})").ToList();
            var stuck = cluster.Addons.Values.Where(a => AddonCatalog.Find(a.Name) is { } d && d.DefaultFor(next) is null).Select(a => a.Name).ToList();
            var insights = new List<InsightSummary>
            {
                new(Stable(cluster.Arn, "kubelet"), "Kubelet version skew", "UPGRADE_READINESS", next, at, at,
                    "Checks for kubelet versions of worker nodes in the cluster to see if upgrade would cause non compliance with supported Kubernetes kubelet version skew policy.",
                    tooOld.Count == 0 ? new InsightStatus("PASSING", "No kubelet version skew issues detected.")
                        : new InsightStatus("ERROR", $"Node groups would be more than {KubeletSkew} minor versions behind {next}: {string.Join(", ", tooOld)}.")),
                new(Stable(cluster.Arn, "addons"), "Amazon EKS add-on version compatibility", "UPGRADE_READINESS", next, at, at,
                    "Checks version of installed EKS add-ons to ensure they are compatible with the next version of Kubernetes.",
                    stuck.Count == 0 ? new InsightStatus("PASSING", "All installed add-ons have a version for the next Kubernetes version.")
                        : new InsightStatus("ERROR", $"No version compatible with {next}: {string.Join(", ", stuck)}.")),
            };
            var filter = request.Filter;
            insights = insights.Where(i => (filter?.Categories is not { Count: > 0 } c || c.Contains(i.Category))
                && (filter?.KubernetesVersions is not { Count: > 0 } k || k.Contains(i.KubernetesVersion))
                && (filter?.Statuses is not { Count: > 0 } s || s.Contains(i.InsightStatus.Status))).ToList();
            return Task.FromResult<(List<InsightSummary>, string?)>((insights, null));
        }, cancel);

    private static string Stable(string arn, string check) =>
        new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(arn + "/" + check))).ToString();

    private static string ResolveAddonVersion(AddonDefinition definition, string? requested, ClusterState cluster, string addonName)
    {
        if (requested is null)
            return definition.DefaultFor(cluster.Version)?.Version
                ?? throw EksException.InvalidParameter($"Addon {addonName} specified is not supported in {cluster.Version} kubernetes version", cluster.Name).WithAddon(addonName);
        var entry = definition.Find(requested)
            ?? throw EksException.InvalidParameter($"Addon version specified is not supported: {requested}", cluster.Name).WithAddon(addonName);
        if (!entry.ClusterVersions.Contains(cluster.Version))
            throw EksException.InvalidParameter($"Addon version {requested} is not supported in {cluster.Version} kubernetes version", cluster.Name).WithAddon(addonName);
        return requested;
    }

    private static void ValidateAddonSettings(AddonDefinition definition, string? configurationValues, string? resolveConflicts, string clusterName)
    {
        if (resolveConflicts is not null and not ("OVERWRITE" or "NONE" or "PRESERVE"))
            throw EksException.InvalidParameter($"Invalid resolveConflicts: {resolveConflicts}", clusterName).WithAddon(definition.Name);
        if (configurationValues is { Length: > 0 } && AddonCatalog.ConfigurationProblem(definition, configurationValues) is { } problem)
            throw EksException.InvalidParameter(problem, clusterName).WithAddon(definition.Name);
    }

    private static AddonState GetAddon(ClusterState cluster, string addonName) =>
        cluster.Addons.GetValueOrDefault(addonName)
        ?? throw new EksException(404, "ResourceNotFoundException", $"No addon: {addonName} found in cluster: {cluster.Name}") { ClusterName = cluster.Name }.WithAddon(addonName);

    private static int MinorOf(string version) => int.Parse(version.Split('.')[1], CultureInfo.InvariantCulture);

    private static int MajorOf(string version) => int.Parse(version.Split('.')[0], CultureInfo.InvariantCulture);
}
