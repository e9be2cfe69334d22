using System.Xml.Linq;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Iam;

public sealed record IamRole(string RoleName, string Arn, string? AssumeRolePolicyDocument, IReadOnlyDictionary<string, string> Tags);

/// <summary>An IAM OIDC identity provider: Url is the issuer without its scheme, as IAM stores it.</summary>
public sealed record OidcProvider(string Arn, string Url, IReadOnlyList<string> ClientIds, IReadOnlyDictionary<string, string> Tags);

/// <summary>Typed IAM operations (awsQuery) over the generic client.</summary>
public sealed class IamApi
{
    private readonly GenericServiceClient _client;

    public IamApi(AwsSession session) => _client = session.Client(ServiceDefinition.Iam);

    public async Task<IamRole?> TryGetRoleAsync(string roleName, CancellationToken ct)
    {
        try
        {
            var doc = await SendAsync("GetRole", ct, ("RoleName", roleName)).ConfigureAwait(false);
            var role = doc.Descendants().First(e => e.Name.LocalName == "Role");
            return ParseRole(role);
        }
        catch (AwsServiceError e) when (e.ErrorCode == "NoSuchEntity") { return null; }
    }

    public async Task<IamRole> CreateRoleAsync(string roleName, string assumeRolePolicyDocument, string description,
        IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var parameters = new List<(string, string)>
        {
            ("RoleName", roleName),
            ("AssumeRolePolicyDocument", assumeRolePolicyDocument),
            ("Description", description),
        };
        AddTags(parameters, tags);
        var doc = await SendAsync("CreateRole", ct, parameters.ToArray()).ConfigureAwait(false);
        return ParseRole(doc.Descendants().First(e => e.Name.LocalName == "Role"));
    }

    public async Task<IReadOnlyList<string>> ListAttachedRolePolicyArnsAsync(string roleName, CancellationToken ct)
    {
        var arns = new List<string>();
        string? marker = null;
        do
        {
            var parameters = new List<(string, string)> { ("RoleName", roleName) };
            if (marker is not null) parameters.Add(("Marker", marker));
            var doc = await SendAsync("ListAttachedRolePolicies", ct, parameters.ToArray()).ConfigureAwait(false);
            arns.AddRange(doc.Descendants().Where(e => e.Name.LocalName == "PolicyArn").Select(e => e.Value));
            marker = Value(doc, "IsTruncated") == "true" ? Value(doc, "Marker") : null;
        } while (marker is not null);
        return arns;
    }

    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken ct)
        => SendAsync("AttachRolePolicy", ct, ("RoleName", roleName), ("PolicyArn", policyArn));

    public Task DetachRolePolicyAsync(string roleName, string policyArn, CancellationToken ct)
        => SendAsync("DetachRolePolicy", ct, ("RoleName", roleName), ("PolicyArn", policyArn));

    public Task DeleteRoleAsync(string roleName, CancellationToken ct)
        => SendAsync("DeleteRole", ct, ("RoleName", roleName));

    public Task UpdateAssumeRolePolicyAsync(string roleName, string policyDocument, CancellationToken ct)
        => SendAsync("UpdateAssumeRolePolicy", ct, ("RoleName", roleName), ("PolicyDocument", policyDocument));

    // ---- OIDC identity providers ----

    public async Task<IReadOnlyList<string>> ListOpenIdConnectProviderArnsAsync(CancellationToken ct)
    {
        var doc = await SendAsync("ListOpenIDConnectProviders", ct).ConfigureAwait(false);
        return doc.Descendants().Where(e => e.Name.LocalName == "Arn").Select(e => e.Value).ToList();
    }

    public async Task<OidcProvider?> TryGetOpenIdConnectProviderAsync(string arn, CancellationToken ct)
    {
        try
        {
            var doc = await SendAsync("GetOpenIDConnectProvider", ct, ("OpenIDConnectProviderArn", arn)).ConfigureAwait(false);
            var clientIds = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "ClientIDList")?.Elements().Select(e => e.Value).ToList() ?? new List<string>();
            return new OidcProvider(arn, Value(doc, "Url") ?? string.Empty, clientIds, ParseTags(doc.Root!));
        }
        catch (AwsServiceError e) when (e.ErrorCode == "NoSuchEntity") { return null; }
    }

    /// <summary>
    /// CreateOpenIDConnectProvider. No ThumbprintList is sent: the IAM API makes it optional (IAM then fetches the
    /// issuer's top intermediate CA thumbprint itself), and IAM verifies an issuer whose certificate chains to a CA in its
    /// trusted library - as EKS's oidc.eks.&lt;region&gt;.amazonaws.com does - without using thumbprints at all. A value
    /// computed here would only go stale when that certificate rotates. moto 5.2.1 accepts the call without one too.
    /// </summary>
    public async Task<string> CreateOpenIdConnectProviderAsync(string url, IReadOnlyList<string> clientIds, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var parameters = new List<(string, string)> { ("Url", url) };
        for (var i = 0; i < clientIds.Count; i++) parameters.Add(($"ClientIDList.member.{i + 1}", clientIds[i]));
        AddTags(parameters, tags);
        var doc = await SendAsync("CreateOpenIDConnectProvider", ct, parameters.ToArray()).ConfigureAwait(false);
        return Value(doc, "OpenIDConnectProviderArn")!;
    }

    public Task AddClientIdToOpenIdConnectProviderAsync(string arn, string clientId, CancellationToken ct)
        => SendAsync("AddClientIDToOpenIDConnectProvider", ct, ("OpenIDConnectProviderArn", arn), ("ClientID", clientId));

    public Task DeleteOpenIdConnectProviderAsync(string arn, CancellationToken ct)
        => SendAsync("DeleteOpenIDConnectProvider", ct, ("OpenIDConnectProviderArn", arn));

    public async Task<IReadOnlyDictionary<string, string>> ListRoleTagsAsync(string roleName, CancellationToken ct)
    {
        var doc = await SendAsync("ListRoleTags", ct, ("RoleName", roleName)).ConfigureAwait(false);
        return ParseTags(doc.Root!);
    }

    private static void AddTags(List<(string, string)> parameters, IReadOnlyDictionary<string, string> tags)
    {
        var i = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(($"Tags.member.{i}.Key", key));
            parameters.Add(($"Tags.member.{i}.Value", value));
            i++;
        }
    }

    private async Task<XDocument> SendAsync(string operation, CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        var request = new AwsRequest(operation, "POST", "/")
        {
            FormParameters = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList(),
        };
        var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
        return XDocument.Parse(response.Body);
    }

    private static IamRole ParseRole(XElement role)
    {
        string? Child(string name) => role.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var policy = Child("AssumeRolePolicyDocument");
        return new IamRole(Child("RoleName")!, Child("Arn")!, policy is null ? null : Uri.UnescapeDataString(policy), ParseTags(role));
    }

    private static IReadOnlyDictionary<string, string> ParseTags(XElement scope)
    {
        var tags = new Dictionary<string, string>();
        var list = scope.Descendants().FirstOrDefault(e => e.Name.LocalName == "Tags");
        if (list is null) return tags;
        foreach (var member in list.Elements())
        {
            var key = member.Elements().FirstOrDefault(e => e.Name.LocalName == "Key")?.Value;
            if (key is not null) tags[key] = member.Elements().FirstOrDefault(e => e.Name.LocalName == "Value")?.Value ?? string.Empty;
        }
        return tags;
    }

    private static string? Value(XDocument doc, string name) => doc.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
