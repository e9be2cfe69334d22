using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksEmulator.FrontDoor;

namespace EksEmulator.CloudTrail;

/// <summary>CloudTrail's LookupEvents (awsJson1_1, X-Amz-Target ...CloudTrail_20131101.LookupEvents) over the event history.</summary>
public static class LookupEventsEndpoint
{
    public const string Service = "cloudtrail";
    public const string Operation = "LookupEvents";

    public static bool Serves(AwsRequestInfo info) => info.Service == Service && info.Operation == Operation;

    public static async Task ServeAsync(HttpContext context, AwsRequestInfo info, byte[] body, EventHistory history)
    {
        JsonObject request;
        try
        {
            request = body.Length == 0 ? new JsonObject() : JsonNode.Parse(Encoding.UTF8.GetString(body)) as JsonObject
                ?? throw new JsonException("The body is not a JSON object.");
        }
        catch (JsonException e)
        {
            await AwsErrorWriter.WriteAsync(context, AwsProtocol.Json, 400, "SerializationException", e.Message);
            return;
        }

        JsonObject answer;
        try { answer = history.Lookup(info.Region, request); }
        catch (CloudTrailException e)
        {
            await AwsErrorWriter.WriteAsync(context, AwsProtocol.Json, 400, e.Code, e.Message);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }
}
