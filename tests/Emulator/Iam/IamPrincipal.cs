using System.Text.RegularExpressions;

namespace EksEmulator.Iam;

/// <summary>
/// An authenticated AWS caller as aws-iam-authenticator describes it: the ARN STS returned, its canonical IAM form
/// (an assumed-role session becomes its role), the account and, for sessions, the session name.
/// </summary>
public sealed partial record IamPrincipal(string Arn, string CanonicalArn, string AccountId, string? SessionName, string AccessKeyId)
{
    /// <summary>
    /// Canonicalises as the authenticator does: iam user/role/root and sts federated-user stay, sts assumed-role
    /// becomes arn:partition:iam::account:role/name; anything else is not an identity (null).
    /// One addition: moto answers GetCallerIdentity for keys it did not issue with arn:aws:sts::account:user/moto,
    /// which is no real ARN; it is read as the IAM user it stands for, so moto's test key is a usable identity.
    /// </summary>
    public static IamPrincipal? FromCallerArn(string arn, string accessKeyId)
    {
        var match = ArnPattern().Match(arn);
        if (!match.Success) return null;
        var (partition, service, account, resource) =
            (match.Groups["partition"].Value, match.Groups["service"].Value, match.Groups["account"].Value, match.Groups["resource"].Value);
        var parts = resource.Split('/');
        var canonical = (service, parts[0]) switch
        {
            ("iam", "user" or "role" or "root") => arn,
            ("sts", "federated-user") => arn,
            ("sts", "assumed-role") when parts.Length >= 3 => $"arn:{partition}:iam::{account}:role/{string.Join('/', parts[1..^1])}",
            ("sts", "user") when parts.Length >= 2 => $"arn:{partition}:iam::{account}:user/{string.Join('/', parts[1..])}",
            _ => null,
        };
        if (canonical is null) return null;
        var session = service == "sts" && parts[0] == "assumed-role" ? parts[^1] : null;
        return new IamPrincipal(arn, canonical, account, session, accessKeyId);
    }

    public bool IsRole => CanonicalArn.Contains(":role/", StringComparison.Ordinal);

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov):(?<service>iam|sts)::(?<account>\d{12}):(?<resource>.+)$")]
    private static partial Regex ArnPattern();
}
