using System.Collections.Concurrent;
using System.Xml.Linq;
using EksEmulator.Moto;

namespace EksEmulator.Iam;

/// <summary>A secret the emulator knows for an access key; role and federation sessions also carry their session token.</summary>
public sealed record KnownCredential(string AccessKeyId, string SecretAccessKey, string? SessionToken);

/// <summary>
/// The AWS credentials whose signatures the emulator can check (it plays STS for EKS tokens): moto's fixed test key,
/// plus every key moto hands out through the front door (IAM CreateAccessKey, STS AssumeRole*, GetSessionToken,
/// GetFederationToken), learnt from moto's answers as they pass. Who a key belongs to is moto's answer to
/// GetCallerIdentity for it, so `aws sts get-caller-identity` and the kube-apiserver agree.
/// </summary>
public sealed class AwsCredentialBook(MotoClient moto)
{
    public const string DefaultAccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static readonly HashSet<string> IssuingOperations = new(StringComparer.Ordinal)
    {
        "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:GetSessionToken",
        "sts:GetFederationToken", "iam:CreateAccessKey",
    };

    private readonly ConcurrentDictionary<string, KnownCredential> _credentials = Seeded();
    private readonly ConcurrentDictionary<string, CallerIdentity> _callers = new(StringComparer.Ordinal);

    private static ConcurrentDictionary<string, KnownCredential> Seeded() =>
        new(StringComparer.Ordinal) { [DefaultAccessKeyId] = new(DefaultAccessKeyId, DefaultSecretAccessKey, null) };

    public static bool IssuesCredentials(string service, string operation) => IssuingOperations.Contains(service + ":" + operation);

    public KnownCredential? Find(string accessKeyId) => _credentials.GetValueOrDefault(accessKeyId);

    /// <summary>Reads the credentials out of a successful moto answer to one of the issuing operations.</summary>
    public void Observe(byte[] responseBody)
    {
        XDocument document;
        try { document = XDocument.Parse(System.Text.Encoding.UTF8.GetString(responseBody)); }
        catch (System.Xml.XmlException) { return; }

        // STS answers in <Credentials>, IAM CreateAccessKey in <AccessKey>; both name the key AccessKeyId.
        foreach (var holder in document.Descendants().Where(e => e.Name.LocalName is "Credentials" or "AccessKey"))
        {
            string? Value(string name) => holder.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var keyId = Value("AccessKeyId");
            var secret = Value("SecretAccessKey");
            if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret)) continue;
            _credentials[keyId] = new KnownCredential(keyId, secret, Value("SessionToken"));
        }
    }

    /// <summary>What STS (moto) answers to GetCallerIdentity for this access key; cached, as a key never changes owner.</summary>
    public async Task<CallerIdentity> CallerAsync(string accessKeyId, CancellationToken cancel)
    {
        if (_callers.TryGetValue(accessKeyId, out var caller)) return caller;
        caller = await moto.GetCallerIdentityAsync(accessKeyId, cancel);
        _callers[accessKeyId] = caller;
        return caller;
    }

    /// <summary>The caller ARN STS (moto) reports for this access key.</summary>
    public async Task<string> CallerArnAsync(string accessKeyId, CancellationToken cancel) =>
        (await CallerAsync(accessKeyId, cancel)).Arn;

    public void Clear()
    {
        foreach (var key in _credentials.Keys)
            if (key != DefaultAccessKeyId) _credentials.TryRemove(key, out _);
        _callers.Clear();
    }
}
