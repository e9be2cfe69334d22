using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Monitoring;

/// <summary>One CloudTrail management event of the EKS API about a cluster.</summary>
public sealed record ClusterApiEvent(
    DateTime EventTime,
    string EventName,
    string? Username,
    string? SourceIpAddress,
    bool ReadOnly,
    string ClusterName,
    string EventId,
    string CloudTrailEvent);

/// <summary>What to look up; CloudTrail takes one lookup attribute per call, so the event name is filtered here.</summary>
public sealed record ApiEventQuery(string ClusterName, DateTime? StartTime, DateTime? EndTime, IReadOnlyCollection<string>? EventNames, int? MaxEvents);

/// <summary>CloudTrail LookupEvents for eks.amazonaws.com (the last 90 days of management events), narrowed to one cluster.</summary>
public sealed class ApiEvents
{
    private const int PageSize = 50; // LookupEvents' maximum

    private readonly GenericServiceClient _cloudTrail;

    public ApiEvents(AwsSession session) => _cloudTrail = session.Client(ServiceDefinition.CloudTrail);

    /// <summary>The body of one LookupEvents page; public so its shape can be checked without a server.</summary>
    public static JsonObject LookupBody(ApiEventQuery query, string? nextToken)
    {
        var body = new JsonObject
        {
            ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = "EventSource", ["AttributeValue"] = "eks.amazonaws.com" }),
            ["MaxResults"] = PageSize,
        };
        if (query.StartTime is { } start) body["StartTime"] = new DateTimeOffset(start.ToUniversalTime()).ToUnixTimeSeconds();
        if (query.EndTime is { } end) body["EndTime"] = new DateTimeOffset(end.ToUniversalTime()).ToUnixTimeSeconds();
        if (nextToken is not null) body["NextToken"] = nextToken;
        return body;
    }

    /// <summary>Newest first, as CloudTrail returns them; stops paging once MaxEvents matching events are found.</summary>
    public async IAsyncEnumerable<ClusterApiEvent> LookupAsync(ApiEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var found = 0;
        string? token = null;
        do
        {
            var request = new AwsRequest("LookupEvents", "POST", "/") { Body = Encoding.UTF8.GetBytes(LookupBody(query, token).ToJsonString()) };
            var response = await _cloudTrail.SendAsync(request, ct).ConfigureAwait(false);
            var json = string.IsNullOrWhiteSpace(response.Body) ? null : JsonNode.Parse(response.Body);
            foreach (var item in json?["Events"]?.AsArray() ?? [])
            {
                if (item is null || Parse(item, query) is not { } apiEvent) continue;
                yield return apiEvent;
                if (query.MaxEvents is { } max && ++found >= max) yield break;
            }
            token = json?["NextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
    }

    /// <summary>The event when it is about the query's cluster (by its resources, else its request parameters) and of a wanted name.</summary>
    public static ClusterApiEvent? Parse(JsonNode item, ApiEventQuery query)
    {
        var name = item["EventName"]?.GetValue<string>() ?? string.Empty;
        if (query.EventNames is { Count: > 0 } names && !names.Contains(name, StringComparer.OrdinalIgnoreCase)) return null;

        var raw = item["CloudTrailEvent"]?.GetValue<string>() ?? "{}";
        JsonNode? detail = null;
        try { detail = JsonNode.Parse(raw); } catch (JsonException) { /* keep the raw text, match on resources only */ }

        var resources = (item["Resources"]?.AsArray() ?? []).Select(r => r?["ResourceName"]?.GetValue<string>()).Where(r => r is not null);
        var parameters = detail?["requestParameters"];
        var aboutCluster = resources.Any(r => IsCluster(r!, query.ClusterName))
            || parameters?["name"]?.ToString() == query.ClusterName
            || parameters?["clusterName"]?.ToString() == query.ClusterName;
        if (!aboutCluster) return null;

        var time = item["EventTime"] switch
        {
            JsonValue v when v.TryGetValue<double>(out var seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).UtcDateTime,
            JsonValue v when DateTime.TryParse(v.ToString(), null, System.Globalization.DateTimeStyles.AdjustToUniversal, out var parsed) => parsed,
            _ => DateTime.MinValue,
        };
        return new ClusterApiEvent(
            time,
            name,
            item["Username"]?.GetValue<string>(),
            detail?["sourceIPAddress"]?.GetValue<string>(),
            string.Equals(item["ReadOnly"]?.ToString(), "true", StringComparison.OrdinalIgnoreCase),
            query.ClusterName,
            item["EventId"]?.GetValue<string>() ?? string.Empty,
            raw);
    }

    private static bool IsCluster(string resourceName, string clusterName) =>
        resourceName == clusterName || resourceName.EndsWith(":cluster/" + clusterName, StringComparison.Ordinal)
        || new[] { ":nodegroup/", ":addon/", ":fargateprofile/", ":podidentityassociation/", ":access-entry/" }
            .Any(kind => resourceName.Contains(kind + clusterName + "/", StringComparison.Ordinal));
}
