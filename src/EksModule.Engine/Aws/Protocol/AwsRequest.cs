using System.Net;
using Amazon.Runtime;

namespace EksModule.Engine.Aws.Protocol;

/// <summary>
/// One HTTP request to a generic service, already in wire form. The typed operation records build
/// these; the pass-through marshaller copies them onto the SDK's request so signing, retries and
/// clock-skew correction stay the SDK's.
/// </summary>
public sealed class AwsRequest : AmazonWebServiceRequest
{
    public AwsRequest(string operationName, string httpMethod, string resourcePath)
    {
        OperationName = operationName;
        HttpMethod = httpMethod;
        ResourcePath = resourcePath;
    }

    public string OperationName { get; }
    public string HttpMethod { get; }
    /// <summary>Path with every segment already URI-encoded once.</summary>
    public string ResourcePath { get; }
    public List<KeyValuePair<string, string>> Query { get; } = new();
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public byte[]? Body { get; set; }
    public string? ContentType { get; set; }

    /// <summary>awsQuery parameters; sent form-encoded in the body with Action and Version.</summary>
    public List<KeyValuePair<string, string>>? FormParameters { get; set; }
}

/// <summary>The raw answer: status, headers and body, for the typed layer to parse.</summary>
public sealed class AwsResponse : AmazonWebServiceResponse
{
    public string Body { get; set; } = string.Empty;
    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>An AWS service error in our own terms; the cmdlets turn it into an ErrorRecord.</summary>
public sealed class AwsServiceError : Exception
{
    public AwsServiceError(string service, string operation, string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? inner = null)
        : base(message, inner)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public string Service { get; }
    public string Operation { get; }
    /// <summary>The AWS error code (ResourceNotFoundException, NoSuchEntity, ...); the cmdlet's ErrorId.</summary>
    public string ErrorCode { get; }
    public HttpStatusCode StatusCode { get; }
    public string? RequestId { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound
        || ErrorCode is "ResourceNotFoundException" or "NoSuchEntity" or "NotFoundException" or "NoSuchHostedZone"
            or "LoadBalancerNotFound" or "LoadBalancerNotFoundException" or "NoSuchChange";
}
