using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Eks;

/// <summary>Typed EKS operations over the generic restJson1 client.</summary>
public sealed class EksApi
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private readonly GenericServiceClient _client;

    public EksApi(AwsSession session) => _client = session.Client(ServiceDefinition.Eks);

    internal EksApi(GenericServiceClient client) => _client = client;

    public async Task<Cluster> CreateClusterAsync(CreateClusterRequest request, CancellationToken ct)
    {
        var response = await SendAsync("CreateCluster", "POST", "/clusters", request, ct).ConfigureAwait(false);
        return Read<Cluster>(response, "cluster");
    }

    public async Task<Cluster> DescribeClusterAsync(string name, CancellationToken ct)
    {
        var response = await SendAsync("DescribeCluster", "GET", $"/clusters/{Segment(name)}", null, ct).ConfigureAwait(false);
        return Read<Cluster>(response, "cluster");
    }

    /// <summary>DescribeCluster, or null when EKS says there is no such cluster.</summary>
    public async Task<Cluster?> TryDescribeClusterAsync(string name, CancellationToken ct)
    {
        try { return await DescribeClusterAsync(name, ct).ConfigureAwait(false); }
        catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { return null; }
    }

    public async Task<IReadOnlyList<string>> ListClustersAsync(CancellationToken ct)
        => await ListAllAsync("ListClusters", "/clusters", "clusters", ct).ConfigureAwait(false);

    public async Task<Cluster> DeleteClusterAsync(string name, CancellationToken ct)
    {
        var response = await SendAsync("DeleteCluster", "DELETE", $"/clusters/{Segment(name)}", null, ct).ConfigureAwait(false);
        return Read<Cluster>(response, "cluster");
    }

    public async Task<IReadOnlyList<string>> ListNodegroupsAsync(string clusterName, CancellationToken ct)
        => await ListAllAsync("ListNodegroups", $"/clusters/{Segment(clusterName)}/node-groups", "nodegroups", ct).ConfigureAwait(false);

    internal async Task<IReadOnlyList<string>> ListAllAsync(string operation, string path, string member, CancellationToken ct)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var request = new AwsRequest(operation, "GET", path);
            request.Query.Add(new("maxResults", "100"));
            if (token is not null) request.Query.Add(new("nextToken", token));
            var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
            var json = JsonNode.Parse(response.Body)!;
            names.AddRange(json[member]!.AsArray().Select(n => n!.GetValue<string>()));
            token = json["nextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
        return names;
    }

    internal Task<AwsResponse> SendRawAsync(AwsRequest request, CancellationToken ct) => _client.SendAsync(request, ct);

    internal Task<AwsResponse> SendAsync(string operation, string method, string path, object? body, CancellationToken ct)
    {
        var request = new AwsRequest(operation, method, path);
        if (body is not null)
        {
            request.Body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body, body.GetType(), Json));
            request.ContentType = "application/json";
        }
        return _client.SendAsync(request, ct);
    }

    internal static T Read<T>(AwsResponse response, string member)
    {
        var node = JsonNode.Parse(response.Body)?[member]
            ?? throw new InvalidDataException($"The EKS answer has no '{member}'.");
        return node.Deserialize<T>(Json)!;
    }

    /// <summary>One path segment, encoded once (the SDK's signer encodes the canonical path again itself).</summary>
    internal static string Segment(string value) => Uri.EscapeDataString(value);
}
