using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace EksEmulator.FrontDoor;

/// <summary>Wire protocol of an AWS request; decides how errors and injected faults are shaped.</summary>
public enum AwsProtocol { RestJson, Json, Query, Ec2, RestXml }

/// <summary>What the front door knows about one AWS request.</summary>
public sealed record AwsRequestInfo(string Service, string Region, string Operation, AwsProtocol Protocol)
{
    /// <summary>Reads (Describe*, List*, Get*, and CloudTrail's LookupEvents) change nothing; everything else may.</summary>
    public bool IsMutating =>
        !(Operation.StartsWith("Describe", StringComparison.Ordinal)
          || Operation.StartsWith("List", StringComparison.Ordinal)
          || Operation.StartsWith("Get", StringComparison.Ordinal)
          || Operation.StartsWith("Lookup", StringComparison.Ordinal));
}

/// <summary>Names the service, region and operation of a request the way AWS would route it.</summary>
public static partial class AwsRequestClassifier
{
    public const string UnknownService = "unknown";
    public const string UnknownOperation = "Unknown";
    private const string DefaultRegion = "us-east-1";

    /// <summary>Service and region from the SigV4 credential scope (header or presigned query).</summary>
    public static (string Service, string Region) ReadCredentialScope(HttpRequest request)
    {
        var credential = request.Query["X-Amz-Credential"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        var match = CredentialPattern().Match(authorization);
        if (match.Success) credential = match.Groups["scope"].Value;

        // access-key/date/region/service/aws4_request
        var parts = credential.Split('/');
        return parts.Length >= 5 ? (parts[3], parts[2]) : (UnknownService, DefaultRegion);
    }

    /// <summary>The access key id of the SigV4 credential scope, or null for an unsigned request.</summary>
    public static string? ReadAccessKeyId(HttpRequest request)
    {
        var credential = request.Query["X-Amz-Credential"].ToString();
        var match = CredentialPattern().Match(request.Headers.Authorization.ToString());
        if (match.Success) credential = match.Groups["scope"].Value;
        var slash = credential.IndexOf('/');
        return slash > 0 ? credential[..slash] : null;
    }

    /// <summary>Classifies a request for another service than EKS; <paramref name="body"/> is its buffered body.</summary>
    public static AwsRequestInfo ClassifyProxied(HttpRequest request, string service, string region, byte[] body)
    {
        var target = request.Headers["X-Amz-Target"].ToString();
        if (target.Length > 0)
            return new(service, region, target[(target.LastIndexOf('.') + 1)..], AwsProtocol.Json);

        if (service == "route53")
            return new(service, region, Route53Operation(request.Method, request.Path.Value ?? "/"), AwsProtocol.RestXml);

        var protocol = service == "ec2" ? AwsProtocol.Ec2 : AwsProtocol.Query;
        var action = request.Query["Action"].ToString();
        if (action.Length == 0 && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            action = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))["Action"].ToString();
        return new(service, region, action.Length > 0 ? action : UnknownOperation, protocol);
    }

    private static string Route53Operation(string method, string path)
    {
        foreach (var (routeMethod, pattern, operation) in Route53Routes)
            if (routeMethod == method && pattern.IsMatch(path)) return operation;
        return UnknownOperation;
    }

    // Route 53 is restXml: the operation is named by method and URI (botocore route53 2013-04-01 model).
    private static readonly (string Method, Regex Pattern, string Operation)[] Route53Routes =
    [
        Route("GET", "/hostedzone", "ListHostedZones"),
        Route("POST", "/hostedzone", "CreateHostedZone"),
        Route("GET", "/hostedzonesbyname", "ListHostedZonesByName"),
        Route("GET", "/hostedzonesbyvpc", "ListHostedZonesByVPC"),
        Route("GET", "/hostedzonecount", "GetHostedZoneCount"),
        Route("GET", "/hostedzone/{Id}", "GetHostedZone"),
        Route("POST", "/hostedzone/{Id}", "UpdateHostedZoneComment"),
        Route("DELETE", "/hostedzone/{Id}", "DeleteHostedZone"),
        Route("POST", "/hostedzone/{Id}/rrset", "ChangeResourceRecordSets"),
        Route("GET", "/hostedzone/{Id}/rrset", "ListResourceRecordSets"),
        Route("POST", "/hostedzone/{Id}/associatevpc", "AssociateVPCWithHostedZone"),
        Route("POST", "/hostedzone/{Id}/disassociatevpc", "DisassociateVPCFromHostedZone"),
        Route("GET", "/hostedzone/{Id}/dnssec", "GetDNSSEC"),
        Route("GET", "/change/{Id}", "GetChange"),
        Route("GET", "/tags/{ResourceType}/{ResourceId}", "ListTagsForResource"),
        Route("POST", "/tags/{ResourceType}/{ResourceId}", "ChangeTagsForResource"),
        Route("POST", "/tags/{ResourceType}", "ListTagsForResources"),
        Route("GET", "/healthcheck", "ListHealthChecks"),
        Route("POST", "/healthcheck", "CreateHealthCheck"),
        Route("GET", "/healthcheck/{Id}", "GetHealthCheck"),
        Route("POST", "/healthcheck/{Id}", "UpdateHealthCheck"),
        Route("DELETE", "/healthcheck/{Id}", "DeleteHealthCheck"),
        Route("GET", "/delegationset", "ListReusableDelegationSets"),
        Route("POST", "/delegationset", "CreateReusableDelegationSet"),
        Route("GET", "/delegationset/{Id}", "GetReusableDelegationSet"),
        Route("DELETE", "/delegationset/{Id}", "DeleteReusableDelegationSet"),
        Route("GET", "/queryloggingconfig", "ListQueryLoggingConfigs"),
        Route("POST", "/queryloggingconfig", "CreateQueryLoggingConfig"),
        Route("GET", "/queryloggingconfig/{Id}", "GetQueryLoggingConfig"),
        Route("DELETE", "/queryloggingconfig/{Id}", "DeleteQueryLoggingConfig"),
    ];

    private static (string, Regex, string) Route(string method, string template, string operation)
    {
        var pattern = "^/2013-04-01" + Regex.Replace(template, @"\{[^}]+\}", "[^/]+") + "/?$";
        return (method, new Regex(pattern, RegexOptions.CultureInvariant), operation);
    }

    [GeneratedRegex(@"Credential=(?<scope>[^,\s]+)")]
    private static partial Regex CredentialPattern();
}
