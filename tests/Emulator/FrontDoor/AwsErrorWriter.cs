using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace EksEmulator.FrontDoor;

/// <summary>Writes an AWS error response in the shape each wire protocol uses, so SDKs parse the code and message.</summary>
public static class AwsErrorWriter
{
    public static Task WriteAsync(
        HttpContext context, AwsProtocol protocol, int statusCode, string code, string message,
        IReadOnlyDictionary<string, string?>? restJsonMembers = null)
    {
        var response = context.Response;
        var requestId = Guid.NewGuid().ToString();
        response.StatusCode = statusCode;
        response.Headers["x-amzn-RequestId"] = requestId;

        switch (protocol)
        {
            case AwsProtocol.RestJson:
            {
                response.Headers["x-amzn-ErrorType"] = code;
                var body = new JsonObject { ["message"] = message };
                foreach (var (name, value) in restJsonMembers ?? new Dictionary<string, string?>())
                    if (value is not null) body[name] = value;
                response.ContentType = "application/json";
                return response.WriteAsync(body.ToJsonString());
            }
            case AwsProtocol.Json:
            {
                response.Headers["x-amzn-ErrorType"] = code;
                response.ContentType = "application/x-amz-json-1.1";
                return response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = code, ["message"] = message }));
            }
            case AwsProtocol.Ec2:
            {
                var document = new XElement("Response",
                    new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
                    new XElement("RequestID", requestId));
                response.ContentType = "text/xml;charset=UTF-8";
                return response.WriteAsync(document.ToString(SaveOptions.DisableFormatting));
            }
            default:
            {
                // awsQuery services and Route 53 (restXml) share the ErrorResponse envelope.
                var document = new XElement("ErrorResponse",
                    new XElement("Error",
                        new XElement("Type", statusCode >= 500 ? "Receiver" : "Sender"),
                        new XElement("Code", code),
                        new XElement("Message", message)),
                    new XElement("RequestId", requestId));
                response.ContentType = "text/xml";
                return response.WriteAsync(document.ToString(SaveOptions.DisableFormatting));
            }
        }
    }
}
