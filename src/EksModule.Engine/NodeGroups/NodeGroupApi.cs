using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;

namespace EksModule.Engine.NodeGroups;

/// <summary>Typed EKS managed node group operations, beside <see cref="EksApi"/> on the same restJson1 client.</summary>
public sealed class NodeGroupApi
{
    private readonly EksApi _eks;

    public NodeGroupApi(EksApi eks) => _eks = eks;

    private static string NodegroupPath(string clusterName, string nodegroupName)
        => $"/clusters/{EksApi.Segment(clusterName)}/node-groups/{EksApi.Segment(nodegroupName)}";

    public async Task<Nodegroup> CreateNodegroupAsync(string clusterName, CreateNodegroupRequest request, CancellationToken ct)
    {
        var response = await _eks.SendAsync("CreateNodegroup", "POST", $"/clusters/{EksApi.Segment(clusterName)}/node-groups", request, ct).ConfigureAwait(false);
        return EksApi.Read<Nodegroup>(response, "nodegroup");
    }

    public async Task<Nodegroup> DescribeNodegroupAsync(string clusterName, string nodegroupName, CancellationToken ct)
    {
        var response = await _eks.SendAsync("DescribeNodegroup", "GET", NodegroupPath(clusterName, nodegroupName), null, ct).ConfigureAwait(false);
        return EksApi.Read<Nodegroup>(response, "nodegroup");
    }

    /// <summary>DescribeNodegroup, or null when EKS says there is no such node group (or no such cluster).</summary>
    public async Task<Nodegroup?> TryDescribeNodegroupAsync(string clusterName, string nodegroupName, CancellationToken ct)
    {
        try { return await DescribeNodegroupAsync(clusterName, nodegroupName, ct).ConfigureAwait(false); }
        catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { return null; }
    }

    public Task<IReadOnlyList<string>> ListNodegroupsAsync(string clusterName, CancellationToken ct)
        => _eks.ListNodegroupsAsync(clusterName, ct);

    public async Task<EksUpdate> UpdateNodegroupConfigAsync(string clusterName, string nodegroupName, UpdateNodegroupConfigRequest request, CancellationToken ct)
    {
        var response = await _eks.SendAsync("UpdateNodegroupConfig", "POST", NodegroupPath(clusterName, nodegroupName) + "/update-config", request, ct).ConfigureAwait(false);
        return EksApi.Read<EksUpdate>(response, "update");
    }

    public async Task<EksUpdate> DescribeUpdateAsync(string clusterName, string updateId, string? nodegroupName, CancellationToken ct)
    {
        var request = new AwsRequest("DescribeUpdate", "GET", $"/clusters/{EksApi.Segment(clusterName)}/updates/{EksApi.Segment(updateId)}");
        if (nodegroupName is not null) request.Query.Add(new("nodegroupName", nodegroupName));
        var response = await _eks.SendRawAsync(request, ct).ConfigureAwait(false);
        return EksApi.Read<EksUpdate>(response, "update");
    }

    public async Task<Nodegroup> DeleteNodegroupAsync(string clusterName, string nodegroupName, CancellationToken ct)
    {
        var response = await _eks.SendAsync("DeleteNodegroup", "DELETE", NodegroupPath(clusterName, nodegroupName), null, ct).ConfigureAwait(false);
        return EksApi.Read<Nodegroup>(response, "nodegroup");
    }

    public Task TagResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
        => _eks.SendAsync("TagResource", "POST", "/tags/" + EksApi.Segment(resourceArn), new { tags }, ct);
}
