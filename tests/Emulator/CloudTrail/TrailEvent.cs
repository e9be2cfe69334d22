using System.Text.Json.Nodes;

namespace EksEmulator.CloudTrail;

/// <summary>A resource a CloudTrail event references (Resource in botocore's cloudtrail 2013-11-01 model).</summary>
public sealed record TrailResource(string ResourceType, string ResourceName);

/// <summary>
/// One management event as CloudTrail's event history keeps it: the lookup fields of the Event shape, and the full
/// record that LookupEvents hands out as the CloudTrailEvent JSON string. <see cref="Sequence"/> orders events that
/// share a timestamp and anchors paging.
/// </summary>
public sealed record TrailEvent(
    long Sequence,
    string Region,
    string EventId,
    string EventName,
    string EventSource,
    bool ReadOnly,
    string AccessKeyId,
    string Username,
    DateTimeOffset EventTime,
    IReadOnlyList<TrailResource> Resources,
    JsonObject Record)
{
    /// <summary>The Event shape of LookupEvents' answer; EventTime is epoch seconds, as awsJson1_1 writes timestamps.</summary>
    public JsonObject ToLookupEvent() => new()
    {
        ["EventId"] = EventId,
        ["EventName"] = EventName,
        ["ReadOnly"] = ReadOnly ? "true" : "false",
        ["AccessKeyId"] = AccessKeyId,
        ["EventTime"] = EventTime.ToUnixTimeMilliseconds() / 1000.0,
        ["EventSource"] = EventSource,
        ["Username"] = Username,
        ["Resources"] = new JsonArray(Resources.Select(r => (JsonNode)new JsonObject
        {
            ["ResourceType"] = r.ResourceType,
            ["ResourceName"] = r.ResourceName,
        }).ToArray()),
        ["CloudTrailEvent"] = Record.ToJsonString(),
    };
}
