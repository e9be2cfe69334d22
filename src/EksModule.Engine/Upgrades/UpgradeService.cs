using System.Net;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.NodeGroups;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.Upgrades;

/// <summary>A cluster configuration change: one UpdateClusterConfig call (EKS takes one kind per call).</summary>
public sealed record ConfigChange(string Description, UpdateClusterConfigRequest Request);

/// <summary>What one carried-out step left behind: the EKS update (null when the endpoint applied it at once, or nothing was needed).</summary>
public sealed record StepOutcome(UpgradeStep Step, EksUpdate? Update, string Status);

/// <summary>
/// Control plane upgrades, cluster configuration changes and add-ons: planning (reads only), then one
/// step at a time, each waited for on DescribeUpdate. Every step first looks at what is already there,
/// so a rerun after a failure picks up where the last run stopped.
/// </summary>
public sealed class UpgradeService
{
    private readonly Waiter _waiter;

    public UpgradeService(AwsSession session, Waiter? waiter = null)
    {
        _waiter = waiter ?? new Waiter();
        Eks = new EksApi(session);
        Api = new UpgradeApi(Eks);
        NodeGroups = new NodeGroupApi(Eks);
    }

    public EksApi Eks { get; }
    public UpgradeApi Api { get; }
    public NodeGroupApi NodeGroups { get; }

    /// <summary>An endpoint that does not implement the operation at all (moto answers 404 for add-ons, insights, ...).</summary>
    public static bool IsUnsupported(Exception e) =>
        e is AwsServiceError { StatusCode: HttpStatusCode.NotFound } aws && aws.ErrorCode != "ResourceNotFoundException";

    /// <summary>
    /// An add-on EKS created whose pods have no node to run on: EKS reports it DEGRADED with InsufficientNumberOfReplicas
    /// (coredns on a cluster without nodes, eksctl #4607) and makes it ACTIVE once nodes join; waiting would not help.
    /// </summary>
    public static bool IsWaitingForNodes(Addon addon) =>
        addon.Status == "DEGRADED" && addon.Health?.Issues is { Count: > 0 } issues && issues.All(i => i.Code == "InsufficientNumberOfReplicas");

    public async Task<Cluster> GetClusterAsync(string clusterName, CancellationToken ct)
        => await Eks.TryDescribeClusterAsync(clusterName, ct).ConfigureAwait(false)
           ?? throw new AwsServiceError("EKS", "DescribeCluster", "ResourceNotFoundException",
               $"No cluster named '{clusterName}'. Run Get-EksCluster to list the clusters in this region.", HttpStatusCode.NotFound, null);

    /// <summary>The installed add-ons, or none where the endpoint has no add-on API.</summary>
    public async Task<IReadOnlyList<Addon>> GetAddonsAsync(string clusterName, IProgress<string>? log, CancellationToken ct)
    {
        IReadOnlyList<string> names;
        try { names = await Api.ListAddonsAsync(clusterName, ct).ConfigureAwait(false); }
        catch (Exception e) when (IsUnsupported(e))
        {
            log?.Report("This EKS endpoint has no add-on API (ListAddons answered 404); no add-ons to plan.");
            return Array.Empty<Addon>();
        }
        var addons = new List<Addon>();
        foreach (var name in names)
            if (await Api.TryDescribeAddonAsync(clusterName, name, ct).ConfigureAwait(false) is { } addon) addons.Add(addon);
        return addons;
    }

    public async Task<IReadOnlyList<Nodegroup>> GetNodegroupsAsync(string clusterName, CancellationToken ct)
    {
        var list = new List<Nodegroup>();
        foreach (var name in await NodeGroups.ListNodegroupsAsync(clusterName, ct).ConfigureAwait(false))
            if (await NodeGroups.TryDescribeNodegroupAsync(clusterName, name, ct).ConfigureAwait(false) is { } ng) list.Add(ng);
        return list;
    }

    /// <summary>Reads everything the plan needs (add-ons and the versions EKS offers for the target, node groups, insights) and builds it.</summary>
    public async Task<UpgradePlan> PlanAsync(Cluster cluster, string targetVersion, bool includeAddons, bool includeNodeGroups, IProgress<string>? log, CancellationToken ct)
    {
        var name = cluster.Name;
        var candidates = new List<AddonCandidate>();
        foreach (var addon in await GetAddonsAsync(name, log, ct).ConfigureAwait(false))
        {
            var infos = await Api.DescribeAddonVersionsAsync(addon.AddonName, targetVersion, ct).ConfigureAwait(false);
            candidates.Add(new AddonCandidate(addon, infos.Where(i => i.AddonName == addon.AddonName).SelectMany(i => i.AddonVersions).ToList()));
        }
        var nodegroups = await GetNodegroupsAsync(name, ct).ConfigureAwait(false);
        IReadOnlyList<InsightSummary> insights = Array.Empty<InsightSummary>();
        if (cluster.Version != targetVersion)
        {
            try { insights = await Api.ListUpgradeInsightsAsync(name, targetVersion, ct).ConfigureAwait(false); }
            catch (Exception e) when (IsUnsupported(e)) { log?.Report("This EKS endpoint offers no upgrade insights (ListInsights answered 404); the module's own checks still apply."); }
        }
        return UpgradePlanner.Build(name, cluster.Version ?? targetVersion, targetVersion, candidates, nodegroups, insights, includeAddons, includeNodeGroups);
    }

    /// <summary>The UpdateClusterConfig calls that bring logging and endpoint access to what was asked; none when already so.</summary>
    public static IReadOnlyList<ConfigChange> PlanConfig(Cluster cluster, IReadOnlyCollection<string>? enableLogTypes, IReadOnlyCollection<string>? disableLogTypes,
        bool? publicAccess, bool? privateAccess, IReadOnlyList<string>? publicAccessCidrs)
    {
        var changes = new List<ConfigChange>();
        var enabled = new HashSet<string>(cluster.Logging?.EnabledTypes() ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
        var turnOn = (enableLogTypes ?? Array.Empty<string>()).Where(t => !enabled.Contains(t)).Distinct().ToList();
        var turnOff = (disableLogTypes ?? Array.Empty<string>()).Where(enabled.Contains).Distinct().ToList();
        if (turnOn.Count > 0 || turnOff.Count > 0)
        {
            var logging = new Logging();
            if (turnOn.Count > 0) logging.ClusterLogging.Add(new LogSetup { Types = turnOn, Enabled = true });
            if (turnOff.Count > 0) logging.ClusterLogging.Add(new LogSetup { Types = turnOff, Enabled = false });
            var text = string.Join("; ", new[] { turnOn.Count > 0 ? "enable " + string.Join(", ", turnOn) : null, turnOff.Count > 0 ? "disable " + string.Join(", ", turnOff) : null }.Where(s => s is not null));
            changes.Add(new ConfigChange($"Control plane logging of {cluster.Name}: {text}", new UpdateClusterConfigRequest { Logging = logging }));
        }

        var vpc = cluster.ResourcesVpcConfig ?? new VpcConfigResponse();
        var wantPublic = publicAccess ?? vpc.EndpointPublicAccess;
        var wantPrivate = privateAccess ?? vpc.EndpointPrivateAccess;
        var cidrsChange = publicAccessCidrs is not null && !publicAccessCidrs.OrderBy(c => c).SequenceEqual(vpc.PublicAccessCidrs.OrderBy(c => c));
        if (wantPublic != vpc.EndpointPublicAccess || wantPrivate != vpc.EndpointPrivateAccess || cidrsChange)
        {
            if (!wantPublic && !wantPrivate)
                throw new ModuleOperationException("InvalidEndpointAccess", "InvalidArgument",
                    $"Cluster {cluster.Name} would have neither public nor private endpoint access: keep at least one of -EndpointPublicAccess and -EndpointPrivateAccess on.");
            var request = new VpcConfigRequest { EndpointPublicAccess = wantPublic, EndpointPrivateAccess = wantPrivate };
            if (cidrsChange) request.PublicAccessCidrs = publicAccessCidrs!.ToList();
            changes.Add(new ConfigChange(
                $"Endpoint access of {cluster.Name}: public {(wantPublic ? "on" : "off")}, private {(wantPrivate ? "on" : "off")}"
                + (cidrsChange ? $", public access from {string.Join(", ", publicAccessCidrs!)}" : string.Empty),
                new UpdateClusterConfigRequest { ResourcesVpcConfig = request }));
        }
        return changes;
    }

    /// <summary>Sends one configuration change and waits for it; an endpoint that answers without an update (moto) applied it already.</summary>
    public async Task<EksUpdate?> ApplyConfigAsync(string clusterName, ConfigChange change, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        await WaitForClusterUpdatesAsync(clusterName, timeout, progress, ct).ConfigureAwait(false);
        change.Request.ClientRequestToken = Guid.NewGuid().ToString();
        var update = await Api.UpdateClusterConfigAsync(clusterName, change.Request, ct).ConfigureAwait(false);
        if (update is null) return null;
        return await WaitForUpdateAsync(clusterName, update, null, null, change.Description, timeout, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Carries out one step of the plan, or finishes one already under way.</summary>
    public async Task<StepOutcome> RunStepAsync(string clusterName, UpgradeStep step, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        switch (step.Kind)
        {
            case UpgradeStepKind.ControlPlane:
            {
                // A VersionUpdate still running (an earlier run was stopped) is waited for, not sent again.
                var running = await WaitForClusterUpdatesAsync(clusterName, timeout, progress, ct).ConfigureAwait(false);
                var cluster = await GetClusterAsync(clusterName, ct).ConfigureAwait(false);
                if (cluster.Version == step.ToVersion) return new StepOutcome(step, running, running?.Status ?? "AlreadyDone");
                var update = await Api.UpdateClusterVersionAsync(clusterName, step.ToVersion, Guid.NewGuid().ToString(), ct).ConfigureAwait(false);
                return Done(step, await WaitForUpdateAsync(clusterName, update, null, null, step.Description, timeout, progress, ct).ConfigureAwait(false));
            }
            case UpgradeStepKind.Addon:
            {
                var addon = await Api.TryDescribeAddonAsync(clusterName, step.Resource, ct).ConfigureAwait(false)
                    ?? throw new ModuleOperationException("AddonNotFound", "ObjectNotFound", $"Add-on {step.Resource} is no longer installed on {clusterName}.");
                if (addon.Status is "UPDATING" or "CREATING")
                    await WaitForInProgressAsync(clusterName, null, step.Resource, step.Description, timeout, progress, ct).ConfigureAwait(false);
                addon = await Api.TryDescribeAddonAsync(clusterName, step.Resource, ct).ConfigureAwait(false);
                if (addon?.AddonVersion == step.ToVersion) return new StepOutcome(step, null, "AlreadyDone");
                var update = await Api.UpdateAddonAsync(clusterName, step.Resource, new UpdateAddonRequest
                {
                    AddonVersion = step.ToVersion,
                    ResolveConflicts = "PRESERVE",
                    ClientRequestToken = Guid.NewGuid().ToString(),
                }, ct).ConfigureAwait(false);
                return Done(step, await WaitForUpdateAsync(clusterName, update, null, step.Resource, step.Description, timeout, progress, ct).ConfigureAwait(false));
            }
            case UpgradeStepKind.NodeGroup:
            {
                var nodegroup = await NodeGroups.DescribeNodegroupAsync(clusterName, step.Resource, ct).ConfigureAwait(false);
                if (nodegroup.Status == "UPDATING")
                    await WaitForInProgressAsync(clusterName, step.Resource, null, step.Description, timeout, progress, ct).ConfigureAwait(false);
                nodegroup = await NodeGroups.DescribeNodegroupAsync(clusterName, step.Resource, ct).ConfigureAwait(false);
                if (nodegroup.Version == step.ToVersion) return new StepOutcome(step, null, "AlreadyDone");
                var update = await Api.UpdateNodegroupVersionAsync(clusterName, step.Resource, step.ToVersion, Guid.NewGuid().ToString(), ct).ConfigureAwait(false);
                return Done(step, await WaitForUpdateAsync(clusterName, update, step.Resource, null, step.Description, timeout, progress, ct).ConfigureAwait(false));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(step));
        }
    }

    private static StepOutcome Done(UpgradeStep step, EksUpdate update) => new(step, update, update.Status ?? "Successful");

    /// <summary>Waits for any cluster update still InProgress (EKS refuses a new one meanwhile); returns the last one waited for.</summary>
    public async Task<EksUpdate?> WaitForClusterUpdatesAsync(string clusterName, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var cluster = await GetClusterAsync(clusterName, ct).ConfigureAwait(false);
        if (cluster.Status != "UPDATING") return null;
        return await WaitForInProgressAsync(clusterName, null, null, $"Finishing the update already running on {clusterName}", timeout, progress, ct).ConfigureAwait(false);
    }

    private async Task<EksUpdate?> WaitForInProgressAsync(string clusterName, string? nodegroupName, string? addonName, string activity,
        TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        EksUpdate? last = null;
        var ids = await Api.ListUpdatesAsync(clusterName, nodegroupName, addonName, ct).ConfigureAwait(false);
        foreach (var id in ids.Reverse())
        {
            var update = await Api.DescribeUpdateAsync(clusterName, id, nodegroupName, addonName, ct).ConfigureAwait(false);
            if (update.Status != "InProgress") continue;
            // An update that ends Failed here belonged to an earlier run; this run goes on and sends its own.
            try { last = await WaitForUpdateAsync(clusterName, update, nodegroupName, addonName, activity, timeout, progress, ct).ConfigureAwait(false); }
            catch (WaitFailedException) { last = update; }
        }
        return last;
    }

    /// <summary>Polls DescribeUpdate until the update is Successful; Failed or Cancelled ends the wait with EKS's errors.</summary>
    public async Task<EksUpdate> WaitForUpdateAsync(string clusterName, EksUpdate update, string? nodegroupName, string? addonName, string activity,
        TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var last = update;
        var target = addonName is not null ? $"Add-on {clusterName}/{addonName}" : nodegroupName is not null ? $"Node group {clusterName}/{nodegroupName}" : $"Cluster {clusterName}";
        await _waiter.WaitAsync(activity, $"{target} ({update.Type} {update.Id})", async token =>
        {
            last = await Api.DescribeUpdateAsync(clusterName, update.Id, nodegroupName, addonName, token).ConfigureAwait(false);
            return last.Status switch
            {
                "Successful" => PollResult.Finished("Successful"),
                "Failed" or "Cancelled" => PollResult.Failed(last.Status, $"{update.Type} {update.Id} of {target} is {last.Status}: "
                    + (last.Errors.Count > 0 ? string.Join("; ", last.Errors.Select(e => $"{e.ErrorCode}: {e.ErrorMessage}")) : "EKS gave no reason.")
                    + " Fix the cause and run the same command again: steps already done are skipped."),
                var s => PollResult.Pending(s ?? "UNKNOWN"),
            };
        }, WaitOptions.ForEks(timeout), progress, ct).ConfigureAwait(false);
        return last;
    }

    // ---- add-on lifecycle (Add-/Update-/Remove-EksAddon) ----

    /// <summary>The version to install: -AddonVersion as given, 'latest', or EKS's default for the cluster version.</summary>
    public async Task<string> ResolveAddonVersionAsync(string addonName, string clusterVersion, string? requested, CancellationToken ct)
    {
        if (requested is not null && !requested.Equals("latest", StringComparison.OrdinalIgnoreCase) && !requested.Equals("default", StringComparison.OrdinalIgnoreCase))
            return requested;
        var infos = await Api.DescribeAddonVersionsAsync(addonName, clusterVersion, ct).ConfigureAwait(false);
        var versions = infos.Where(i => i.AddonName == addonName).SelectMany(i => i.AddonVersions).ToList();
        var chosen = requested is not null && requested.Equals("latest", StringComparison.OrdinalIgnoreCase)
            ? UpgradePlanner.LatestAddonVersion(versions, clusterVersion)
            : UpgradePlanner.ChooseAddonVersion(versions, clusterVersion);
        return chosen ?? throw new ModuleOperationException("AddonVersionNotFound", "ObjectNotFound",
            $"EKS offers no version of add-on {addonName} for Kubernetes {clusterVersion}. Check the name (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, eks-pod-identity-agent, ...).");
    }

    public async Task<Addon> WaitForAddonAsync(string clusterName, string addonName, bool deleted, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        Addon? last = null;
        await _waiter.WaitAsync(deleted ? "Waiting for EKS add-on to be deleted" : "Waiting for EKS add-on to become ACTIVE", $"Add-on {clusterName}/{addonName}", async token =>
        {
            last = await Api.TryDescribeAddonAsync(clusterName, addonName, token).ConfigureAwait(false);
            if (last is null) return deleted ? PollResult.Finished("DELETED") : PollResult.Failed("DELETED", $"Add-on {clusterName}/{addonName} is gone.");
            return (last.Status, deleted) switch
            {
                ("ACTIVE", false) => PollResult.Finished("ACTIVE"),
                ("DEGRADED", false) when IsWaitingForNodes(last) => PollResult.Finished("DEGRADED"),
                ("CREATE_FAILED" or "DEGRADED" or "UPDATE_FAILED", false) => PollResult.Failed(last.Status!, $"Add-on {clusterName}/{addonName} is {last.Status}: "
                    + (last.Health?.Issues is { Count: > 0 } issues ? string.Join("; ", issues.Select(i => $"{i.Code}: {i.Message}")) : "EKS gave no reason.")),
                ("DELETE_FAILED", true) => PollResult.Failed("DELETE_FAILED", $"Deleting add-on {clusterName}/{addonName} failed."),
                var (s, _) => PollResult.Pending(s ?? "UNKNOWN"),
            };
        }, WaitOptions.ForEks(timeout), progress, ct).ConfigureAwait(false);
        return last!;
    }
}
