using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksEmulator.FrontDoor;

namespace EksEmulator.CloudTrail;

/// <summary>
/// Makes every EKS API call the emulator serves a CloudTrail management event, as EKS does ("CloudTrail captures all
/// API calls for Amazon EKS as events"): request parameters under the model's member names, the response for calls
/// that change something (reads carry none), errorCode/errorMessage for refused calls, the caller's userIdentity.
/// </summary>
public sealed class EksTrailRecorder(EventHistory history, CallerIdentities identities, ILogger<EksTrailRecorder> log)
{
    public const string EventSource = "eks.amazonaws.com";

    // In botocore's eks model the URI label {name} is the member "name" for these cluster operations and
    // "clusterName" for everything under a cluster (node groups, add-ons, access entries, insights).
    private static readonly HashSet<string> NameMemberOperations = new(StringComparer.Ordinal)
    {
        "DescribeCluster", "DeleteCluster", "UpdateClusterConfig", "UpdateClusterVersion", "DescribeUpdate", "ListUpdates",
    };

    /// <summary>Reads the request body once so it can be both served and recorded; the handler reads the copy.</summary>
    public static async Task<byte[]> BufferRequestAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        context.Request.Body = new MemoryStream(body, writable: false);
        return body;
    }

    /// <summary>Starts finding out who signed the request (STS, cached per key) while the call itself is served.</summary>
    public Task<TrailIdentity> ResolveCallerAsync(HttpContext context) =>
        identities.ResolveAsync(AwsRequestClassifier.ReadAccessKeyId(context.Request) ?? "", context.RequestAborted);

    public async Task RecordAsync(HttpContext context, AwsRequestInfo info, Task<TrailIdentity> caller, byte[] requestBody, byte[] responseBody)
    {
        try
        {
            var accessKeyId = AwsRequestClassifier.ReadAccessKeyId(context.Request) ?? "";
            var identity = await caller;
            var now = history.Now;
            var eventId = Guid.NewGuid().ToString();
            var parameters = RequestParameters(context, info.Operation, requestBody);
            var readOnly = !info.IsMutating;
            var failed = context.Response.StatusCode >= 300;
            var response = failed ? null : Parse(responseBody);

            var record = new JsonObject
            {
                ["eventVersion"] = "1.09",
                ["userIdentity"] = identity.UserIdentity.DeepClone(),
                ["eventTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["eventSource"] = EventSource,
                ["eventName"] = info.Operation,
                ["awsRegion"] = info.Region,
                ["sourceIPAddress"] = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
                ["userAgent"] = context.Request.Headers.UserAgent.ToString(),
            };
            if (failed)
            {
                var error = Parse(responseBody);
                record["errorCode"] = context.Response.Headers["x-amzn-ErrorType"].ToString() is { Length: > 0 } type ? type.Split(':')[0] : "InternalFailure";
                record["errorMessage"] = error?["message"]?.GetValue<string>() ?? "";
            }
            record["requestParameters"] = parameters.Count == 0 ? null : parameters;
            record["responseElements"] = readOnly ? null : response;
            record["requestID"] = context.Response.Headers["x-amzn-RequestId"].ToString();
            record["eventID"] = eventId;
            record["readOnly"] = readOnly;
            record["eventType"] = "AwsApiCall";
            record["managementEvent"] = true;
            record["recipientAccountId"] = identity.AccountId;
            record["eventCategory"] = "Management";

            history.Add(new TrailEvent(history.NextSequence(), info.Region, eventId, info.Operation, EventSource, readOnly,
                accessKeyId, identity.Username, now, Resources(parameters), record));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The call itself was served; a trail that cannot name the caller must not fail it.
            log.LogWarning("Recording {Operation} in the event history failed: {Message}", info.Operation, e.Message);
        }
    }

    /// <summary>URI labels and query string under their model member names, then the JSON body's members.</summary>
    private static JsonObject RequestParameters(HttpContext context, string operation, byte[] body)
    {
        var parameters = new JsonObject();
        foreach (var (label, value) in context.Request.RouteValues)
        {
            if (value is not string text) continue;
            var member = label == "name" && !NameMemberOperations.Contains(operation) ? "clusterName" : label;
            parameters[member] = Uri.UnescapeDataString(text);
        }
        foreach (var (key, values) in context.Request.Query)
            parameters[key] = values.Count == 1 ? values[0] : new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
        if (Parse(body) is JsonObject members)
            foreach (var (key, value) in members.ToList())
                parameters[key] = value?.DeepClone();
        return parameters;
    }

    private static List<TrailResource> Resources(JsonObject parameters)
    {
        string? Text(string key) => (parameters[key] as JsonValue)?.ToString();
        var resources = new List<TrailResource>();
        var cluster = Text("clusterName") ?? Text("name") ?? ClusterFromArn(Text("resourceArn"));
        if (cluster is not null) resources.Add(new("AWS::EKS::Cluster", cluster));
        if (Text("nodegroupName") is { } nodegroup) resources.Add(new("AWS::EKS::Nodegroup", nodegroup));
        if (Text("addonName") is { } addon && cluster is not null) resources.Add(new("AWS::EKS::Addon", addon));
        return resources;
    }

    /// <summary>The cluster an EKS ARN names: arn:aws:eks:region:account:cluster/NAME, or nodegroup|addon/NAME/....</summary>
    private static string? ClusterFromArn(string? arn)
    {
        var parts = arn?.Split(':', 6);
        return parts is { Length: 6 } && parts[2] == "eks" && parts[5].Split('/') is [_, var name, ..] ? name : null;
    }

    private static JsonNode? Parse(byte[] body)
    {
        if (body.Length == 0) return null;
        try { return JsonNode.Parse(Encoding.UTF8.GetString(body)); }
        catch (JsonException) { return null; }
    }
}
