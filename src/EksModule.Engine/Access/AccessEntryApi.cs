using System.Text.Json;
using System.Text.Json.Nodes;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;

namespace EksModule.Engine.Access;

public sealed class AccessEntry
{
    public string? ClusterName { get; set; }
    public string PrincipalArn { get; set; } = string.Empty;
    public List<string> KubernetesGroups { get; set; } = new();
    public string? AccessEntryArn { get; set; }
    public string? Username { get; set; }
    public string? Type { get; set; }
}

public sealed class AccessScope
{
    /// <summary>cluster or namespace.</summary>
    public string Type { get; set; } = "cluster";
    public List<string> Namespaces { get; set; } = new();
}

public sealed class AssociatedAccessPolicy
{
    public string PolicyArn { get; set; } = string.Empty;
    public AccessScope AccessScope { get; set; } = new();
    [System.Text.Json.Serialization.JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? AssociatedAt { get; set; }
}

public sealed class CreateAccessEntryRequest
{
    public string PrincipalArn { get; set; } = string.Empty;
    public List<string>? KubernetesGroups { get; set; }
    public string? Username { get; set; }
    public string? ClientRequestToken { get; set; }
}

/// <summary>EKS access entries and access policy associations (restJson1 over the generic client).</summary>
public sealed class AccessEntryApi
{
    private readonly EksApi _eks;

    public AccessEntryApi(AwsSession session) => _eks = new EksApi(session);

    internal AccessEntryApi(EksApi eks) => _eks = eks;

    private static string EntryPath(string cluster, string principalArn)
        => $"/clusters/{EksApi.Segment(cluster)}/access-entries/{EksApi.Segment(principalArn)}";

    public async Task<AccessEntry> CreateAccessEntryAsync(string clusterName, CreateAccessEntryRequest request, CancellationToken ct)
    {
        var response = await _eks.SendAsync("CreateAccessEntry", "POST", $"/clusters/{EksApi.Segment(clusterName)}/access-entries", request, ct).ConfigureAwait(false);
        return EksApi.Read<AccessEntry>(response, "accessEntry");
    }

    /// <summary>DescribeAccessEntry, or null when the principal has no access entry.</summary>
    public async Task<AccessEntry?> TryDescribeAccessEntryAsync(string clusterName, string principalArn, CancellationToken ct)
    {
        try
        {
            var response = await _eks.SendAsync("DescribeAccessEntry", "GET", EntryPath(clusterName, principalArn), null, ct).ConfigureAwait(false);
            return EksApi.Read<AccessEntry>(response, "accessEntry");
        }
        catch (AwsServiceError e) when (e.ErrorCode == "ResourceNotFoundException") { return null; }
    }

    public async Task<AccessEntry> UpdateAccessEntryAsync(string clusterName, string principalArn, List<string>? groups, string? username, CancellationToken ct)
    {
        var response = await _eks.SendAsync("UpdateAccessEntry", "POST", EntryPath(clusterName, principalArn),
            new { kubernetesGroups = groups, username }, ct).ConfigureAwait(false);
        return EksApi.Read<AccessEntry>(response, "accessEntry");
    }

    public async Task DeleteAccessEntryAsync(string clusterName, string principalArn, CancellationToken ct)
        => await _eks.SendAsync("DeleteAccessEntry", "DELETE", EntryPath(clusterName, principalArn), null, ct).ConfigureAwait(false);

    public Task<IReadOnlyList<string>> ListAccessEntriesAsync(string clusterName, CancellationToken ct)
        => _eks.ListAllAsync("ListAccessEntries", $"/clusters/{EksApi.Segment(clusterName)}/access-entries", "accessEntries", ct);

    public async Task AssociateAccessPolicyAsync(string clusterName, string principalArn, string policyArn, AccessScope scope, CancellationToken ct)
        => await _eks.SendAsync("AssociateAccessPolicy", "POST", EntryPath(clusterName, principalArn) + "/access-policies",
            new { policyArn, accessScope = scope }, ct).ConfigureAwait(false);

    public async Task DisassociateAccessPolicyAsync(string clusterName, string principalArn, string policyArn, CancellationToken ct)
        => await _eks.SendAsync("DisassociateAccessPolicy", "DELETE",
            EntryPath(clusterName, principalArn) + "/access-policies/" + EksApi.Segment(policyArn), null, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<AssociatedAccessPolicy>> ListAssociatedAccessPoliciesAsync(string clusterName, string principalArn, CancellationToken ct)
    {
        var policies = new List<AssociatedAccessPolicy>();
        string? token = null;
        do
        {
            var request = new AwsRequest("ListAssociatedAccessPolicies", "GET", EntryPath(clusterName, principalArn) + "/access-policies");
            request.Query.Add(new("maxResults", "100"));
            if (token is not null) request.Query.Add(new("nextToken", token));
            var response = await _eks.SendRawAsync(request, ct).ConfigureAwait(false);
            var json = JsonNode.Parse(response.Body)!;
            foreach (var item in json["associatedAccessPolicies"]?.AsArray() ?? new JsonArray())
                policies.Add(item.Deserialize<AssociatedAccessPolicy>(EksApi.Json)!);
            token = json["nextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
        return policies;
    }
}
