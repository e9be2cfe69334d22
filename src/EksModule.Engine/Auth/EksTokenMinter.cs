using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EksModule.Engine.Auth;

/// <summary>Access keys to sign with; the secret never leaves this type except into the HMAC.</summary>
public sealed record SigningKeys(string AccessKey, string SecretKey, string? SessionToken)
{
    public override string ToString() => $"SigningKeys {{ AccessKey = {AccessKey} }}";
}

/// <summary>A minted EKS bearer token and when clients should stop using it.</summary>
public sealed record MintedToken(string Token, DateTime ExpirationUtc, string ClusterId, string Region);

/// <summary>
/// Mints the EKS bearer token exactly as aws-iam-authenticator and <c>aws eks get-token</c> do: a
/// SigV4 query-presigned STS GetCallerIdentity GET on the regional STS host, with the header
/// <c>x-k8s-aws-id: &lt;cluster&gt;</c> signed (so a token for one cluster is refused by another),
/// valid 60 s at STS, wrapped as <c>k8s-aws-v1.</c> + unpadded base64url.
/// Plain BCL code with no AWSSDK type, so the token helper links this file and builds NativeAOT.
/// </summary>
/// <remarks>
/// The URL always names the real STS host for the region, never AWS_ENDPOINT_URL_STS or -EndpointUrl:
/// the token is not sent to STS by us but replayed by the cluster's authenticator, which calls STS
/// itself and rejects hosts outside its allow-list. (awscli would embed a custom endpoint, and such a
/// token is refused by a real cluster.)
/// </remarks>
public static class EksTokenMinter
{
    public const string TokenPrefix = "k8s-aws-v1.";
    public const string ClusterIdHeader = "x-k8s-aws-id";
    public const int PresignSeconds = 60;
    /// <summary>STS honours the presigned URL for 15 minutes; clients are told 14 so they refresh in time.</summary>
    public static readonly TimeSpan ClientLifetime = TimeSpan.FromMinutes(14);

    public static MintedToken Mint(SigningKeys keys, string region, string clusterId, DateTime nowUtc)
    {
        var url = PresignGetCallerIdentity(keys, region, clusterId, nowUtc);
        var token = TokenPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(url)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new MintedToken(token, TruncateToSeconds(nowUtc) + ClientLifetime, clusterId, region);
    }

    /// <summary>The regional STS host of the region's partition (sts.&lt;region&gt;.&lt;dns suffix&gt;).</summary>
    public static string StsHost(string region) => $"sts.{region}.{PartitionDnsSuffix(region)}";

    private static string PartitionDnsSuffix(string region) => region switch
    {
        _ when region.StartsWith("cn-", StringComparison.Ordinal) => "amazonaws.com.cn",
        _ when region.StartsWith("us-isob-", StringComparison.Ordinal) => "sc2s.sgov.gov",
        _ when region.StartsWith("us-isof-", StringComparison.Ordinal) => "csp.hci.ic.gov",
        _ when region.StartsWith("us-iso-", StringComparison.Ordinal) => "c2s.ic.gov",
        _ when region.StartsWith("eu-isoe-", StringComparison.Ordinal) => "cloud.adc-e.uk",
        _ => "amazonaws.com",
    };

    /// <summary>The presigned URL, its query parameters in the order botocore writes them.</summary>
    public static string PresignGetCallerIdentity(SigningKeys keys, string region, string clusterId, DateTime nowUtc)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        var host = StsHost(region);
        var amzDate = nowUtc.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/sts/aws4_request";
        const string signedHeaders = "host;" + ClusterIdHeader;

        var query = new List<(string Name, string Value)>
        {
            ("Action", "GetCallerIdentity"),
            ("Version", "2011-06-15"),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", $"{keys.AccessKey}/{scope}"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", PresignSeconds.ToString(CultureInfo.InvariantCulture)),
            ("X-Amz-SignedHeaders", signedHeaders),
        };
        if (!string.IsNullOrEmpty(keys.SessionToken)) query.Add(("X-Amz-Security-Token", keys.SessionToken));

        var canonicalQuery = string.Join("&", query
            .Select(p => (Name: Escape(p.Name), Value: Escape(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        var canonicalRequest = string.Join("\n",
            "GET", "/", canonicalQuery,
            $"host:{host}", $"{ClusterIdHeader}:{clusterId.Trim()}", string.Empty,
            signedHeaders, Hex(SHA256.HashData(ReadOnlySpan<byte>.Empty)));
        var stringToSign = string.Join("\n",
            "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + keys.SecretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, "sts");
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        // botocore writes the operation's own parameters first, then the auth parameters, the signature last.
        var written = string.Join("&", query.Select(p => $"{Escape(p.Name)}={Escape(p.Value)}"));
        return $"https://{host}/?{written}&X-Amz-Signature={signature}";
    }

    private static DateTime TruncateToSeconds(DateTime t)
    {
        var utc = t.ToUniversalTime();
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>RFC 3986 percent-encoding, everything but unreserved characters (SigV4's rule).</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
