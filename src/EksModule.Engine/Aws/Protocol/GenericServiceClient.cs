using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;
using Amazon.Runtime.Internal.Transform;
using Amazon.Runtime.Internal.Util;
using Amazon.Util;
using Amazon.Util.Internal;

namespace EksModule.Engine.Aws.Protocol;

/// <summary>
/// Client configuration for one generic service. ServiceId makes the SDK honour
/// AWS_ENDPOINT_URL_&lt;SERVICE_ID&gt;, AWS_ENDPOINT_URL and the profile's services section.
/// </summary>
public sealed class GenericServiceConfig : ClientConfig
{
    private static readonly string UserAgentString = InternalSDKUtils.BuildUserAgentString("EksModule", "0.1.0");

    public GenericServiceConfig(ServiceDefinition service)
        : base(new DefaultConfigurationProvider(DefaultsModes.All))
    {
        Service = service;
        ServiceId = service.ServiceId;
        AuthenticationServiceName = service.SigningName;
        EndpointProvider = new GenericEndpointProvider(service);
    }

    public ServiceDefinition Service { get; }
    public override string RegionEndpointServiceName => Service.EndpointPrefix;
    public override string ServiceVersion => Service.ApiVersion;
    public override string UserAgent => UserAgentString;

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
        => EndpointProvider.ResolveEndpoint(GenericEndpointResolver.BuildParameters(this));
}

/// <summary>
/// The SDK's defaults modes (AWS_DEFAULTS_MODE / defaults_mode), with the values every AWS SDK shares.
/// Kept here so a generic client does not load a service package just to read them.
/// </summary>
internal static class DefaultsModes
{
    private static IDefaultConfiguration Mode(DefaultConfigurationMode name, double connectMs) => new DefaultConfiguration
    {
        Name = name,
        RetryMode = RequestRetryMode.Standard,
        S3UsEast1RegionalEndpoint = S3UsEast1RegionalEndpointValue.Regional,
        ConnectTimeout = TimeSpan.FromMilliseconds(connectMs),
        TlsNegotiationTimeout = TimeSpan.FromMilliseconds(connectMs),
    };

    internal static readonly IDefaultConfiguration[] All =
    {
        Mode(DefaultConfigurationMode.Standard, 3100),
        Mode(DefaultConfigurationMode.InRegion, 1100),
        Mode(DefaultConfigurationMode.CrossRegion, 3100),
        Mode(DefaultConfigurationMode.Mobile, 30000),
        Mode(DefaultConfigurationMode.Auto, 1100),
    };
}

/// <summary>
/// Resolves a service's endpoint. Custom endpoints (parameter, environment, profile) keep the
/// caller's region for signing — without an explicit signingRegion the signer would fall back
/// to us-east-1 for any endpoint it cannot parse a region from.
/// </summary>
public sealed class GenericEndpointProvider : IEndpointProvider
{
    private readonly ServiceDefinition _service;

    public GenericEndpointProvider(ServiceDefinition service) => _service = service;

    public Endpoint ResolveEndpoint(EndpointParameters parameters)
    {
        var region = parameters["Region"] as string;
        var custom = parameters["Endpoint"] as string;
        if (string.IsNullOrEmpty(region))
            throw new AmazonClientException($"No region was given for {_service.ServiceId}; pass -Region or set a default region.");

        var partition = Fn.Partition(region);
        var dnsSuffix = partition is null ? "amazonaws.com" : (string)Fn.GetAttr(partition, "dnsSuffix");
        var partitionName = partition is null ? "aws" : (string)Fn.GetAttr(partition, "name");
        var signingRegion = region;
        string url;
        if (!string.IsNullOrEmpty(custom))
        {
            url = custom;
        }
        else if (_service.IsGlobal)
        {
            // IAM and Route 53 have one endpoint per partition, signed for that partition's home region.
            (url, signingRegion) = (_service.EndpointPrefix, partitionName) switch
            {
                ("iam", "aws-cn") => ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
                ("iam", "aws-us-gov") => ("https://iam.us-gov.amazonaws.com", "us-gov-west-1"),
                ("route53", "aws-cn") => ("https://route53.amazonaws.com.cn", "cn-northwest-1"),
                ("route53", "aws-us-gov") => ("https://route53.us-gov.amazonaws.com", "us-gov-west-1"),
                _ => ($"https://{_service.EndpointPrefix}.{dnsSuffix}", "us-east-1"),
            };
        }
        else
        {
            url = $"https://{_service.EndpointPrefix}.{region}.{dnsSuffix}";
        }

        var attributes = JsonSerializer.Serialize(new
        {
            authSchemes = new[] { new { name = "sigv4", signingName = _service.SigningName, signingRegion } },
        });
        return new Endpoint(url, attributes, "");
    }
}

/// <summary>Feeds the endpoint provider the region and any configured endpoint for each request.</summary>
internal sealed class GenericEndpointResolver : BaseEndpointResolver
{
    protected override EndpointParameters MapEndpointsParameters(IRequestContext requestContext)
        => BuildParameters((ClientConfig)requestContext.ClientConfig);

    internal static EndpointParameters BuildParameters(ClientConfig config)
    {
        // RegionEndpoint first: reading ServiceURL first and then the region would drop an endpoint
        // that came from the environment or the profile.
        var region = config.RegionEndpoint?.SystemName;
        var endpoint = config.ServiceURL;
        if (string.IsNullOrEmpty(region)) region = config.AuthenticationRegion;
        var parameters = new EndpointParameters();
        parameters["Region"] = region;
        parameters["Endpoint"] = endpoint;
        parameters["UseDualStack"] = config.UseDualstackEndpoint;
        parameters["UseFIPS"] = config.UseFIPSEndpoint;
        return parameters;
    }
}

/// <summary>Every generic operation is SigV4-signed.</summary>
internal sealed class SigV4AuthSchemeHandler : BaseAuthResolverHandler
{
    protected override List<IAuthSchemeOption> ResolveAuthOptions(IExecutionContext executionContext)
        => AuthSchemeOption.DEFAULT_SIGV4;
}

/// <summary>
/// The one client for every AWS service the SDK packages here do not cover. It runs on
/// AWSSDK.Core's own pipeline: credentials, SigV4, retries (standard/adaptive), clock skew.
/// </summary>
public sealed class GenericServiceClient : AmazonServiceClient
{
    public GenericServiceClient(AWSCredentials credentials, GenericServiceConfig config) : base(credentials, config)
    {
        Service = config.Service;
    }

    public ServiceDefinition Service { get; }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        pipeline.RemoveHandler<EndpointResolver>();
        pipeline.AddHandlerAfter<Marshaller>(new GenericEndpointResolver());
        pipeline.AddHandlerAfter<Marshaller>(new SigV4AuthSchemeHandler());
    }

    public async Task<AwsResponse> SendAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var options = new InvokeOptions
        {
            RequestMarshaller = new PassThroughMarshaller(Service),
            ResponseUnmarshaller = Service.Protocol is AwsProtocol.RestJson or AwsProtocol.Json
                ? new PassThroughJsonUnmarshaller(Service, request.OperationName)
                : new PassThroughXmlUnmarshaller(Service, request.OperationName),
        };
        try
        {
            return await InvokeAsync<AwsResponse>(request, options, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw new AwsServiceError(Service.ServiceId, request.OperationName, ex.ErrorCode ?? ex.StatusCode.ToString(),
                ex.Message, ex.StatusCode, ex.RequestId, ex);
        }
    }
}

/// <summary>Copies an already-formed <see cref="AwsRequest"/> onto the SDK's request.</summary>
internal sealed class PassThroughMarshaller : IMarshaller<IRequest, AmazonWebServiceRequest>
{
    private readonly ServiceDefinition _service;

    public PassThroughMarshaller(ServiceDefinition service) => _service = service;

    public IRequest Marshall(AmazonWebServiceRequest input)
    {
        var source = (AwsRequest)input;
        var request = new DefaultRequest(input, _service.ServiceId) { HttpMethod = source.HttpMethod };
        IRequest wire = request;
        wire.ResourcePath = source.ResourcePath;
        foreach (var (name, value) in source.Headers) wire.Headers[name] = value;

        switch (_service.Protocol)
        {
            case AwsProtocol.Query:
                wire.Parameters["Action"] = source.OperationName;
                wire.Parameters["Version"] = _service.ApiVersion;
                foreach (var (name, value) in source.FormParameters ?? new()) wire.Parameters[name] = value;
                wire.Content = AWSSDKUtils.GetRequestPayloadBytes(wire);
                wire.Headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
                break;
            case AwsProtocol.Json:
                wire.Headers["X-Amz-Target"] = $"{_service.JsonTargetPrefix}.{source.OperationName}";
                wire.Headers["Content-Type"] = $"application/x-amz-json-{_service.JsonVersion}";
                wire.Content = source.Body ?? Encoding.UTF8.GetBytes("{}");
                break;
            default:
                foreach (var (name, value) in source.Query) wire.Parameters[name] = value;
                wire.UseQueryString = true;
                if (source.Body is not null)
                {
                    wire.Content = source.Body;
                    // Only a request with a body carries Content-Type: on a bodyless GET it would be signed
                    // but not sent, and AWS would reject the signature.
                    wire.Headers["Content-Type"] = source.ContentType ?? "application/json";
                }
                break;
        }
        return wire;
    }
}

internal static class PassThroughBody
{
    internal static string Read(UnmarshallerContext context, Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    internal static AwsResponse ToResponse(UnmarshallerContext context, Stream stream)
    {
        var response = new AwsResponse
        {
            Body = Read(context, stream),
            HttpStatusCode = context.ResponseData.StatusCode,
        };
        foreach (var name in context.ResponseData.GetHeaderNames())
            response.ResponseHeaders[name] = context.ResponseData.GetHeaderValue(name);
        return response;
    }

    internal static string ErrorBody(UnmarshallerContext context, Stream stream)
    {
        try
        {
            var bytes = context.GetResponseBodyBytes();
            if (bytes is { Length: > 0 }) return Encoding.UTF8.GetString(bytes);
            return Read(context, stream);
        }
        catch (Exception) { return string.Empty; }
    }

    internal static ErrorType ErrorTypeFor(HttpStatusCode status)
        => (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender;
}

internal sealed class PassThroughJsonUnmarshaller : JsonResponseUnmarshaller
{
    private readonly ServiceDefinition _service;
    private readonly string _operation;

    public PassThroughJsonUnmarshaller(ServiceDefinition service, string operation) => (_service, _operation) = (service, operation);

    public override AmazonWebServiceResponse Unmarshall(JsonUnmarshallerContext context)
        => PassThroughBody.ToResponse(context, context.Stream);

    public override AmazonServiceException UnmarshallException(JsonUnmarshallerContext context, Exception innerException, HttpStatusCode statusCode)
    {
        var body = PassThroughBody.ErrorBody(context, context.Stream);
        // restJson1 names the error in x-amzn-ErrorType; awsJson in __type. Either may carry a ":url" or "#" part.
        var code = context.ResponseData.GetHeaderValue("x-amzn-ErrorType");
        string? message = null;
        try
        {
            using var json = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (string.IsNullOrEmpty(code) && root.TryGetProperty("__type", out var type)) code = type.GetString();
                if (string.IsNullOrEmpty(code) && root.TryGetProperty("code", out var c)) code = c.GetString();
                foreach (var name in new[] { "message", "Message", "errorMessage" })
                    if (root.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String) { message = m.GetString(); break; }
            }
        }
        catch (JsonException) { message = body; }
        code = NormalizeCode(code) ?? StatusCodeName(statusCode);
        message ??= $"{_service.ServiceId} {_operation} failed with HTTP {(int)statusCode} {statusCode}.";
        return new AmazonServiceException(message, innerException, PassThroughBody.ErrorTypeFor(statusCode), code,
            context.ResponseData.GetHeaderValue("x-amzn-RequestId"), statusCode);
    }

    private static string? NormalizeCode(string? code)
    {
        if (string.IsNullOrEmpty(code)) return null;
        var colon = code.IndexOf(':');
        if (colon >= 0) code = code[..colon];
        var hash = code.LastIndexOf('#');
        return hash >= 0 ? code[(hash + 1)..] : code;
    }

    internal static string StatusCodeName(HttpStatusCode statusCode) => statusCode switch
    {
        HttpStatusCode.TooManyRequests => "ThrottlingException",
        HttpStatusCode.InternalServerError => "InternalFailure",
        HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
        _ => statusCode.ToString(),
    };
}

internal sealed class PassThroughXmlUnmarshaller : XmlResponseUnmarshaller
{
    private readonly ServiceDefinition _service;
    private readonly string _operation;

    public PassThroughXmlUnmarshaller(ServiceDefinition service, string operation) => (_service, _operation) = (service, operation);

    public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext context)
        => PassThroughBody.ToResponse(context, context.Stream);

    public override AmazonServiceException UnmarshallException(XmlUnmarshallerContext context, Exception innerException, HttpStatusCode statusCode)
    {
        var body = PassThroughBody.ErrorBody(context, context.Stream);
        string? code = null, message = null, requestId = context.ResponseData.GetHeaderValue("x-amzn-RequestId");
        try
        {
            if (!string.IsNullOrWhiteSpace(body))
            {
                var doc = XDocument.Parse(body);
                // <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>, or EC2's <Response><Errors><Error>.
                var error = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
                requestId ??= doc.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
            }
        }
        catch (System.Xml.XmlException) { message = body; }
        code ??= PassThroughJsonUnmarshaller.StatusCodeName(statusCode);
        message ??= $"{_service.ServiceId} {_operation} failed with HTTP {(int)statusCode} {statusCode}.";
        return new AmazonServiceException(message, innerException, PassThroughBody.ErrorTypeFor(statusCode), code, requestId, statusCode);
    }
}
