using System.Text.Json.Nodes;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.NodeGroups;

namespace EksModule.Engine.Upgrades;

/// <summary>Typed EKS operations for upgrades, add-ons and insights, beside <see cref="EksApi"/> on the same restJson1 client.</summary>
public sealed class UpgradeApi
{
    private readonly EksApi _eks;

    public UpgradeApi(EksApi eks) => _eks = eks;

    private static string ClusterPath(string clusterName) => $"/clusters/{EksApi.Segment(clusterName)}";

    private static string AddonPath(string clusterName, string addonName) => $"{ClusterPath(clusterName)}/addons/{EksApi.Segment(addonName)}";

    public async Task<EksUpdate> UpdateClusterVersionAsync(string clusterName, string version, string clientRequestToken, CancellationToken ct)
    {
        var response = await _eks.SendAsync("UpdateClusterVersion", "POST", ClusterPath(clusterName) + "/updates",
            new { version, clientRequestToken }, ct).ConfigureAwait(false);
        return EksApi.Read<EksUpdate>(response, "update");
    }

    /// <summary>UpdateClusterConfig; null when the endpoint answers without an update (moto applies the change at once).</summary>
    public async Task<EksUpdate?> UpdateClusterConfigAsync(string clusterName, UpdateClusterConfigRequest request, CancellationToken ct)
    {
        var response = await _eks.SendAsync("UpdateClusterConfig", "POST", ClusterPath(clusterName) + "/update-config", request, ct).ConfigureAwait(false);
        return JsonNode.Parse(response.Body)?["update"] is JsonObject ? EksApi.Read<EksUpdate>(response, "update") : null;
    }

    public async Task<EksUpdate> UpdateNodegroupVersionAsync(string clusterName, string nodegroupName, string version, string clientRequestToken, CancellationToken ct)
    {
        var response = await _eks.SendAsync("UpdateNodegroupVersion", "POST",
            $"{ClusterPath(clusterName)}/node-groups/{EksApi.Segment(nodegroupName)}/update-version", new { version, clientRequestToken }, ct).ConfigureAwait(false);
        return EksApi.Read<EksUpdate>(response, "update");
    }

    /// <summary>DescribeUpdate of the cluster itself, or of one of its node groups or add-ons.</summary>
    public async Task<EksUpdate> DescribeUpdateAsync(string clusterName, string updateId, string? nodegroupName, string? addonName, CancellationToken ct)
    {
        var request = new AwsRequest("DescribeUpdate", "GET", $"{ClusterPath(clusterName)}/updates/{EksApi.Segment(updateId)}");
        if (nodegroupName is not null) request.Query.Add(new("nodegroupName", nodegroupName));
        if (addonName is not null) request.Query.Add(new("addonName", addonName));
        return EksApi.Read<EksUpdate>(await _eks.SendRawAsync(request, ct).ConfigureAwait(false), "update");
    }

    /// <summary>The ids of a cluster's (or node group's, or add-on's) updates, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListUpdatesAsync(string clusterName, string? nodegroupName, string? addonName, CancellationToken ct)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var request = new AwsRequest("ListUpdates", "GET", ClusterPath(clusterName) + "/updates");
            if (nodegroupName is not null) request.Query.Add(new("nodegroupName", nodegroupName));
            if (addonName is not null) request.Query.Add(new("addonName", addonName));
            if (token is not null) request.Query.Add(new("nextToken", token));
            var json = JsonNode.Parse((await _eks.SendRawAsync(request, ct).ConfigureAwait(false)).Body)!;
            ids.AddRange(json["updateIds"]!.AsArray().Select(n => n!.GetValue<string>()));
            token = json["nextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
        return ids;
    }

    public async Task<IReadOnlyList<InsightSummary>> ListUpgradeInsightsAsync(string clusterName, string kubernetesVersion, CancellationToken ct)
    {
        var response = await _eks.SendAsync("ListInsights", "POST", ClusterPath(clusterName) + "/insights",
            new { filter = new { categories = new[] { "UPGRADE_READINESS" }, kubernetesVersions = new[] { kubernetesVersion } } }, ct).ConfigureAwait(false);
        return JsonNode.Parse(response.Body)?["insights"]?.Deserialize<List<InsightSummary>>() ?? new List<InsightSummary>();
    }

    // ---- add-ons ----

    public Task<IReadOnlyList<string>> ListAddonsAsync(string clusterName, CancellationToken ct)
        => _eks.ListAllAsync("ListAddons", ClusterPath(clusterName) + "/addons", "addons", ct);

    public async Task<Addon?> TryDescribeAddonAsync(string clusterName, string addonName, CancellationToken ct)
    {
        try
        {
            return EksApi.Read<Addon>(await _eks.SendAsync("DescribeAddon", "GET", AddonPath(clusterName, addonName), null, ct).ConfigureAwait(false), "addon");
        }
        catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { return null; }
    }

    public async Task<Addon> CreateAddonAsync(string clusterName, CreateAddonRequest request, CancellationToken ct)
        => EksApi.Read<Addon>(await _eks.SendAsync("CreateAddon", "POST", ClusterPath(clusterName) + "/addons", request, ct).ConfigureAwait(false), "addon");

    public async Task<EksUpdate> UpdateAddonAsync(string clusterName, string addonName, UpdateAddonRequest request, CancellationToken ct)
        => EksApi.Read<EksUpdate>(await _eks.SendAsync("UpdateAddon", "POST", AddonPath(clusterName, addonName) + "/update", request, ct).ConfigureAwait(false), "update");

    public async Task<Addon> DeleteAddonAsync(string clusterName, string addonName, bool preserve, CancellationToken ct)
    {
        var request = new AwsRequest("DeleteAddon", "DELETE", AddonPath(clusterName, addonName));
        if (preserve) request.Query.Add(new("preserve", "true"));
        return EksApi.Read<Addon>(await _eks.SendRawAsync(request, ct).ConfigureAwait(false), "addon");
    }

    /// <summary>DescribeAddonVersions for one add-on (or all) and one Kubernetes version, every page.</summary>
    public async Task<IReadOnlyList<AddonInfo>> DescribeAddonVersionsAsync(string? addonName, string? kubernetesVersion, CancellationToken ct)
    {
        var infos = new List<AddonInfo>();
        string? token = null;
        do
        {
            var request = new AwsRequest("DescribeAddonVersions", "GET", "/addons/supported-versions");
            if (addonName is not null) request.Query.Add(new("addonName", addonName));
            if (kubernetesVersion is not null) request.Query.Add(new("kubernetesVersion", kubernetesVersion));
            if (token is not null) request.Query.Add(new("nextToken", token));
            var json = JsonNode.Parse((await _eks.SendRawAsync(request, ct).ConfigureAwait(false)).Body)!;
            infos.AddRange(json["addons"]?.Deserialize<List<AddonInfo>>() ?? new());
            token = json["nextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
        return infos;
    }
}

internal static class JsonNodeExtensions
{
    public static T? Deserialize<T>(this JsonNode node) => System.Text.Json.JsonSerializer.Deserialize<T>(node, EksApi.Json);
}
