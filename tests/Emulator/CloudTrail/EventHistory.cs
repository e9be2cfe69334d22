using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EksEmulator.CloudTrail;

/// <summary>A CloudTrail error for bad LookupEvents input: its code (the model's exception shape) and message.</summary>
public sealed class CloudTrailException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// CloudTrail's event history for the management events the emulator serves itself (EKS), per region, and
/// LookupEvents over it as the API reference describes: at most one lookup attribute, an inclusive time window,
/// 1-50 results a page (50 by default), newest first, and a NextToken that is only good for the same query.
/// </summary>
public sealed class EventHistory(TimeProvider clock)
{
    public const int DefaultMaxResults = 50;

    private static readonly string[] AttributeKeys =
        ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"];

    private readonly object _gate = new();
    private readonly List<TrailEvent> _events = [];
    private long _sequence;

    public DateTimeOffset Now => clock.GetUtcNow();

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(TrailEvent trailEvent)
    {
        lock (_gate) _events.Add(trailEvent);
    }

    public void Clear()
    {
        lock (_gate) _events.Clear();
    }

    /// <summary>Answers one LookupEvents request body (awsJson1_1) for <paramref name="region"/>.</summary>
    public JsonObject Lookup(string region, JsonObject request)
    {
        var (key, value) = ReadAttribute(request["LookupAttributes"]);
        var start = ReadTime(request["StartTime"], "StartTime");
        var end = ReadTime(request["EndTime"], "EndTime");
        if (start is not null && end is not null && start > end)
            throw new CloudTrailException("InvalidTimeRangeException", "Start time must be earlier than or equal to end time.");
        var maxResults = ReadMaxResults(request["MaxResults"]);
        var category = request["EventCategory"] is JsonValue c ? c.ToString() : null;
        if (category is not null && category != "insight")
            throw new CloudTrailException("InvalidEventCategoryException", $"Event category {category} is not valid. The only valid value is insight.");

        // The token is bound to the query it came from: a token from another query is refused, as CloudTrail does.
        var queryHash = QueryHash(key, value, start, end, category);
        var after = ReadToken(request["NextToken"], queryHash);

        List<TrailEvent> matching;
        lock (_gate)
        {
            matching = _events
                .Where(e => e.Region == region && category is null)
                .Where(e => (start is null || e.EventTime >= start) && (end is null || e.EventTime <= end))
                .Where(e => key is null || Matches(e, key, value!))
                .OrderByDescending(e => e.EventTime).ThenByDescending(e => e.Sequence)
                .ToList();
        }

        var remaining = after is null ? matching : matching.SkipWhile(e => !IsOlder(e, after.Value)).ToList();
        var page = remaining.Take(maxResults).ToList();
        var response = new JsonObject { ["Events"] = new JsonArray(page.Select(e => (JsonNode)e.ToLookupEvent()).ToArray()) };
        if (remaining.Count > page.Count)
            response["NextToken"] = WriteToken(queryHash, page[^1]);
        return response;
    }

    private static bool IsOlder(TrailEvent e, (DateTimeOffset Time, long Sequence) anchor) =>
        e.EventTime < anchor.Time || (e.EventTime == anchor.Time && e.Sequence < anchor.Sequence);

    private static bool Matches(TrailEvent e, string key, string value) => key switch
    {
        "EventId" => e.EventId == value,
        "EventName" => e.EventName == value,
        "ReadOnly" => e.ReadOnly == (value == "true"),
        "Username" => e.Username == value,
        "ResourceType" => e.Resources.Any(r => r.ResourceType == value),
        "ResourceName" => e.Resources.Any(r => r.ResourceName == value),
        "EventSource" => e.EventSource == value,
        "AccessKeyId" => e.AccessKeyId == value,
        _ => false,
    };

    private static (string? Key, string? Value) ReadAttribute(JsonNode? node)
    {
        if (node is null) return (null, null);
        if (node is not JsonArray list)
            throw new CloudTrailException("InvalidLookupAttributesException", "LookupAttributes must be a list.");
        if (list.Count == 0) return (null, null);
        if (list.Count > 1)
            throw new CloudTrailException("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
        var key = (list[0]?["AttributeKey"] as JsonValue)?.ToString();
        var value = (list[0]?["AttributeValue"] as JsonValue)?.ToString();
        if (key is null || !AttributeKeys.Contains(key, StringComparer.Ordinal))
            throw new CloudTrailException("InvalidLookupAttributesException",
                $"Lookup attribute key {key ?? "(none)"} is not valid. Valid keys: {string.Join(", ", AttributeKeys)}.");
        if (string.IsNullOrEmpty(value) || value.Length > 2000)
            throw new CloudTrailException("InvalidLookupAttributesException", $"The value of lookup attribute {key} must be 1 to 2000 characters long.");
        if (key == "ReadOnly")
        {
            value = value.ToLowerInvariant();
            if (value is not ("true" or "false"))
                throw new CloudTrailException("InvalidLookupAttributesException", $"The value of lookup attribute ReadOnly must be true or false, not {list[0]!["AttributeValue"]}.");
        }
        return (key, value);
    }

    private static DateTimeOffset? ReadTime(JsonNode? node, string member)
    {
        if (node is null) return null;
        if (node is JsonValue number && number.TryGetValue<double>(out var seconds))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        if (node is JsonValue text && DateTimeOffset.TryParse(text.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed;
        throw new CloudTrailException("InvalidTimeRangeException", $"{member} is not a valid timestamp.");
    }

    private static int ReadMaxResults(JsonNode? node)
    {
        if (node is null) return DefaultMaxResults;
        if (node is JsonValue v && v.TryGetValue<int>(out var value) && value is >= 1 and <= 50) return value;
        throw new CloudTrailException("InvalidMaxResultsException", $"MaxResults {node.ToJsonString()} is not valid: use a number from 1 to 50.");
    }

    private static string QueryHash(string? key, string? value, DateTimeOffset? start, DateTimeOffset? end, string? category)
    {
        var text = string.Join("\n", key, value, start?.ToUnixTimeMilliseconds(), end?.ToUnixTimeMilliseconds(), category);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static string WriteToken(string queryHash, TrailEvent last)
    {
        var token = new JsonObject { ["q"] = queryHash, ["t"] = last.EventTime.ToUnixTimeMilliseconds(), ["s"] = last.Sequence };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(token.ToJsonString()));
    }

    private static (DateTimeOffset Time, long Sequence)? ReadToken(JsonNode? node, string queryHash)
    {
        if (node is null) return null;
        var text = (node as JsonValue)?.ToString();
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            var token = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(text)))!;
            if (token["q"]!.GetValue<string>() != queryHash)
                throw new CloudTrailException("InvalidNextTokenException", "The NextToken was issued for a request with other parameters; pass the same parameters with it.");
            return (DateTimeOffset.FromUnixTimeMilliseconds(token["t"]!.GetValue<long>()), token["s"]!.GetValue<long>());
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new CloudTrailException("InvalidNextTokenException", "Invalid NextToken.");
        }
    }
}
