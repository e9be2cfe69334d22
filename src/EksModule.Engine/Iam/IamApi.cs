using System.Xml.Linq;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Iam;

public sealed record IamRole(string RoleName, string Arn, string? AssumeRolePolicyDocument, IReadOnlyDictionary<string, string> Tags);

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
        var i = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(($"Tags.member.{i}.Key", key));
            parameters.Add(($"Tags.member.{i}.Value", value));
            i++;
        }
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

    public async Task<IReadOnlyDictionary<string, string>> ListRoleTagsAsync(string roleName, CancellationToken ct)
    {
        var doc = await SendAsync("ListRoleTags", ct, ("RoleName", roleName)).ConfigureAwait(false);
        return ParseTags(doc.Root!);
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
