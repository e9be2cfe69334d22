using System.Text.Json.Nodes;
using EksEmulator.Iam;
using EksEmulator.Moto;

namespace EksEmulator.CloudTrail;

/// <summary>Who signed a request, as CloudTrail writes it: the userIdentity element and the lookup Username.</summary>
public sealed record TrailIdentity(JsonObject UserIdentity, string Username, string AccountId);

/// <summary>
/// Turns an access key into CloudTrail's userIdentity (IAMUser, AssumedRole with its session issuer, FederatedUser,
/// Root), from what STS (moto) answers to GetCallerIdentity for that key. The credential book holds those answers, so
/// the EKS call and its CloudTrail record ask STS once between them.
/// </summary>
public sealed class CallerIdentities(AwsCredentialBook credentials)
{
    public async Task<TrailIdentity> ResolveAsync(string accessKeyId, CancellationToken cancel) =>
        Describe(await credentials.CallerAsync(accessKeyId, cancel), accessKeyId);

    public static TrailIdentity Describe(CallerIdentity caller, string accessKeyId)
    {
        var principal = IamPrincipal.FromCallerArn(caller.Arn, accessKeyId);
        var account = principal?.AccountId ?? caller.Account;
        var identity = new JsonObject();
        string username;
        if (principal is null)
        {
            identity["type"] = "Unknown";
            identity["principalId"] = caller.UserId;
            identity["arn"] = caller.Arn;
            username = caller.UserId;
        }
        else if (principal.SessionName is { } session)
        {
            // An assumed-role session: the session is the user name; the role is its issuer.
            var roleId = caller.UserId.Split(':')[0];
            identity["type"] = "AssumedRole";
            identity["principalId"] = caller.UserId;
            identity["arn"] = principal.Arn;
            identity["accountId"] = account;
            identity["accessKeyId"] = accessKeyId;
            identity["sessionContext"] = new JsonObject
            {
                ["sessionIssuer"] = new JsonObject
                {
                    ["type"] = "Role",
                    ["principalId"] = roleId,
                    ["arn"] = principal.CanonicalArn,
                    ["accountId"] = account,
                    ["userName"] = principal.CanonicalArn[(principal.CanonicalArn.LastIndexOf('/') + 1)..],
                },
                ["attributes"] = new JsonObject { ["mfaAuthenticated"] = "false" },
            };
            username = session;
        }
        else if (principal.CanonicalArn.EndsWith(":root", StringComparison.Ordinal))
        {
            identity["type"] = "Root";
            identity["principalId"] = account;
            identity["arn"] = principal.CanonicalArn;
            identity["accountId"] = account;
            identity["accessKeyId"] = accessKeyId;
            username = "root";
        }
        else if (principal.CanonicalArn.Contains(":federated-user/", StringComparison.Ordinal))
        {
            identity["type"] = "FederatedUser";
            identity["principalId"] = caller.UserId;
            identity["arn"] = principal.CanonicalArn;
            identity["accountId"] = account;
            identity["accessKeyId"] = accessKeyId;
            username = principal.CanonicalArn[(principal.CanonicalArn.LastIndexOf('/') + 1)..];
        }
        else
        {
            var name = principal.CanonicalArn[(principal.CanonicalArn.LastIndexOf('/') + 1)..];
            identity["type"] = principal.IsRole ? "Role" : "IAMUser";
            identity["principalId"] = caller.UserId;
            identity["arn"] = principal.CanonicalArn;
            identity["accountId"] = account;
            identity["accessKeyId"] = accessKeyId;
            identity["userName"] = name;
            username = name;
        }
        return new TrailIdentity(identity, username, account);
    }
}
