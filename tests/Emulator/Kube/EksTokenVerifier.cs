using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EksEmulator.Iam;

namespace EksEmulator.Kube;

/// <summary>Why a bearer token was refused; the kube-apiserver answers 401 either way and only logs this.</summary>
public sealed class TokenRejectedException(string message) : Exception(message);

/// <summary>
/// Verifies EKS bearer tokens with aws-iam-authenticator's server-side rules (pkg/token Verify): the k8s-aws-v1.
/// prefix, unpadded base64url, an https URL to an STS host of the cluster's partition, path "/", only the allowed
/// query parameters (each once, case-insensitively), Action=GetCallerIdentity, x-k8s-aws-id among the signed
/// headers, 0 &lt;= X-Amz-Expires &lt;= 900, X-Amz-Date no older than 15 minutes. Where the authenticator then
/// forwards the URL to STS with <c>x-k8s-aws-id: &lt;cluster name&gt;</c>, this verifier does STS's part itself:
/// recomputes the presigned SigV4 signature with that header value and the secret it knows for the key, so a token
/// minted for another cluster does not verify.
/// </summary>
public sealed partial class EksTokenVerifier(AwsCredentialBook credentials, TimeProvider clock)
{
    public const string Prefix = "k8s-aws-v1.";
    private const int MaxTokenLength = 4 * 1024;
    private static readonly TimeSpan PresignedUrlLifetime = TimeSpan.FromMinutes(15);
    private const string ClusterIdHeader = "x-k8s-aws-id";

    private static readonly HashSet<string> AllowedParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-SignedHeaders",
    };

    public async Task<IamPrincipal> VerifyAsync(string token, string clusterName, string clusterRegion, CancellationToken cancel)
    {
        if (token.Length > MaxTokenLength) throw new TokenRejectedException("token is too large");
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) throw new TokenRejectedException($"token is missing expected \"{Prefix}\" prefix");

        var url = DecodeBase64Url(token[Prefix.Length..]);
        var (host, path, rawQuery) = SplitUrl(url);
        VerifyHost(host, clusterRegion);
        if (path != "/") throw new TokenRejectedException("unexpected path in pre-signed URL");

        var parameters = ParseQuery(rawQuery);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, _) in parameters)
        {
            if (!seen.Add(key)) throw new TokenRejectedException($"duplicate query parameter found: \"{key}\"");
            if (!AllowedParameters.Contains(key)) throw new TokenRejectedException($"non-whitelisted query parameter \"{key}\"");
        }

        string? Get(string name) => parameters.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        if (Get("Action") != "GetCallerIdentity") throw new TokenRejectedException("unexpected action parameter in pre-signed URL");
        var signedHeaders = (Get("X-Amz-SignedHeaders") ?? "").Split(';');
        if (!signedHeaders.Any(h => h.Equals(ClusterIdHeader, StringComparison.OrdinalIgnoreCase)))
            throw new TokenRejectedException($"client did not sign the {ClusterIdHeader} header in the pre-signed URL");
        if (!int.TryParse(Get("X-Amz-Expires"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var expires) || expires is < 0 or > 900)
            throw new TokenRejectedException("invalid X-Amz-Expires parameter in pre-signed URL");

        var dateText = Get("X-Amz-Date");
        if (string.IsNullOrEmpty(dateText)) throw new TokenRejectedException("X-Amz-Date parameter must be present in pre-signed URL");
        if (!DateTimeOffset.TryParseExact(dateText, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
            throw new TokenRejectedException($"error parsing X-Amz-Date parameter {dateText}");
        var now = clock.GetUtcNow();
        if (now > signedAt + PresignedUrlLifetime) throw new TokenRejectedException("X-Amz-Date parameter is expired (15 minute expiration)");

        // From here on the authenticator would ask STS; these are the checks STS makes on the presigned request.
        if (signedAt > now + PresignedUrlLifetime) throw new TokenRejectedException("STS: signature not yet current");
        if (Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256") throw new TokenRejectedException("STS: unsupported signing algorithm");
        var scope = (Get("X-Amz-Credential") ?? "").Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[3] != "sts" || scope[1] != dateText[..8])
            throw new TokenRejectedException("STS: malformed credential scope");
        var expectedRegion = host == "sts.amazonaws.com" ? "us-east-1" : host.Split('.')[1];
        if (scope[2] != expectedRegion) throw new TokenRejectedException($"STS: credential should be scoped to region {expectedRegion}");
        var credential = credentials.Find(scope[0]) ?? throw new TokenRejectedException("STS: the security token included in the request is invalid (unknown access key)");
        if (credential.SessionToken != Get("X-Amz-Security-Token"))
            throw new TokenRejectedException("STS: the security token included in the request is invalid");

        var headerValues = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            [ClusterIdHeader] = clusterName,
            ["accept"] = "application/json",
        };
        var signature = Get("X-Amz-Signature") ?? "";
        if (!SignatureMatches(parameters, signedHeaders, headerValues, scope, dateText, credential.SecretAccessKey, signature))
            throw new TokenRejectedException("STS: the request signature does not match (wrong cluster, key or secret)");

        var arn = await credentials.CallerArnAsync(credential.AccessKeyId, cancel);
        return IamPrincipal.FromCallerArn(arn, credential.AccessKeyId)
            ?? throw new TokenRejectedException($"arn '{arn}' is not a valid identity");
    }

    private static bool SignatureMatches(
        List<KeyValuePair<string, string>> parameters, string[] signedHeaders, Dictionary<string, string> headerValues,
        string[] scope, string date, string secret, string signature)
    {
        var canonicalHeaders = new StringBuilder();
        foreach (var header in signedHeaders)
        {
            // A header whose value the verifier cannot know (only host, x-k8s-aws-id and accept are sent) cannot verify.
            if (!headerValues.TryGetValue(header, out var value)) return false;
            canonicalHeaders.Append(header).Append(':').Append(value).Append('\n');
        }

        var canonicalQuery = string.Join('&', parameters
            .Where(p => !p.Key.Equals("X-Amz-Signature", StringComparison.OrdinalIgnoreCase))
            .Select(p => (Key: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), scope[1]), scope[2]), scope[3]), "aws4_request");
        // SDKs differ in the payload hash of a presigned GET (Go: hash of the empty body, botocore: UNSIGNED-PAYLOAD); STS takes both.
        foreach (var payloadHash in new[] { Hex(SHA256.HashData([])), "UNSIGNED-PAYLOAD" })
        {
            var canonicalRequest = $"GET\n/\n{canonicalQuery}\n{canonicalHeaders}\n{string.Join(';', signedHeaders)}\n{payloadHash}";
            var stringToSign = $"AWS4-HMAC-SHA256\n{date}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
            var expected = Hex(Hmac(signingKey, stringToSign));
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant())))
                return true;
        }

        return false;
    }

    /// <summary>STS hosts of the cluster's partition: the global endpoint (aws only) and regional, FIPS and dual-stack forms.</summary>
    private static void VerifyHost(string host, string clusterRegion)
    {
        var (partition, domains) =
            clusterRegion.StartsWith("cn-", StringComparison.Ordinal) ? ("aws-cn", new[] { "amazonaws.com.cn", "api.amazonwebservices.com.cn" })
            : clusterRegion.StartsWith("us-gov-", StringComparison.Ordinal) ? ("aws-us-gov", new[] { "amazonaws.com", "api.aws" })
            : ("aws", new[] { "amazonaws.com", "api.aws" });
        if (host == "sts.amazonaws.com")
        {
            if (partition == "aws") return;
            throw new TokenRejectedException($"global endpoint unsupported in partition {partition}");
        }

        var labels = host.Split('.');
        if (labels.Length >= 4 && labels[0] is "sts" or "sts-fips" && RegionPattern().IsMatch(labels[1])
            && domains.Contains(string.Join('.', labels[2..])))
            return;
        throw new TokenRejectedException($"unexpected hostname \"{host}\" in pre-signed URL");
    }

    private static string DecodeBase64Url(string text)
    {
        // Raw (unpadded) URL encoding only, as Go's base64.RawURLEncoding.
        if (text.Contains('=') || text.Length % 4 == 1 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new TokenRejectedException("illegal base64 data");
        var padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4);
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(padded)); }
        catch (FormatException) { throw new TokenRejectedException("illegal base64 data"); }
    }

    private static (string Host, string Path, string Query) SplitUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) throw new TokenRejectedException("pre-signed URL is not absolute");
        var scheme = url[..schemeEnd];
        if (!scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            throw new TokenRejectedException($"unexpected scheme \"{scheme}\" in pre-signed URL");
        var rest = url[(schemeEnd + 3)..];
        var fragment = rest.IndexOf('#');
        if (fragment >= 0) rest = rest[..fragment];
        var query = rest.IndexOf('?');
        var beforeQuery = query >= 0 ? rest[..query] : rest;
        var slash = beforeQuery.IndexOf('/');
        var host = slash >= 0 ? beforeQuery[..slash] : beforeQuery;
        var path = slash >= 0 ? Uri.UnescapeDataString(beforeQuery[slash..]) : "";
        return (host, path, query >= 0 ? rest[(query + 1)..] : "");
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.Contains(';')) throw new TokenRejectedException("malformed query parameter");
            var equals = pair.IndexOf('=');
            var key = equals >= 0 ? pair[..equals] : pair;
            var value = equals >= 0 ? pair[(equals + 1)..] : "";
            result.Add(new(Unescape(key), Unescape(value)));
        }

        return result;
    }

    private static string Unescape(string text)
    {
        try { return Uri.UnescapeDataString(text.Replace('+', ' ')); }
        catch (UriFormatException) { throw new TokenRejectedException("malformed query parameter"); }
    }

    /// <summary>SigV4 URI encoding: RFC 3986 unreserved characters as they are, everything else %XX upper-case.</summary>
    private static string Encode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') builder.Append(c);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?$")]
    private static partial Regex RegionPattern();
}
