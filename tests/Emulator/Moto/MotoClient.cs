using System.Globalization;
using System.Net;
using System.Xml.Linq;

namespace EksEmulator.Moto;

public sealed record SubnetInfo(string SubnetId, string VpcId, string AvailabilityZone);

public sealed record SecurityGroupInfo(string GroupId, string VpcId);

public sealed record CallerIdentity(string Arn, string UserId, string Account);

/// <summary>
/// What the EKS emulator asks of moto: looks up subnets, security groups and roles, and owns cluster security groups.
/// moto checks no signatures but routes by credential scope, so each call names its service and region.
/// </summary>
public sealed partial class MotoClient(HttpClient moto)
{
    // moto's EC2 namespace version differs from AWS's; match on local names only.
    private static IEnumerable<XElement> Items(XDocument document, string setName) =>
        document.Descendants().Where(e => e.Name.LocalName == setName).Elements().Where(e => e.Name.LocalName == "item");

    private static string Child(XElement element, string name) =>
        element.Elements().First(e => e.Name.LocalName == name).Value;

    /// <summary>Subnets among <paramref name="subnetIds"/> that exist; unknown ids are simply absent.</summary>
    public async Task<IReadOnlyList<SubnetInfo>> DescribeSubnetsAsync(string region, IEnumerable<string> subnetIds, CancellationToken cancel)
    {
        var parameters = FilterParameters("DescribeSubnets", "subnet-id", subnetIds);
        var document = await CallEc2Async(region, parameters, cancel);
        return Items(document, "subnetSet")
            .Select(item => new SubnetInfo(Child(item, "subnetId"), Child(item, "vpcId"), Child(item, "availabilityZone")))
            .ToList();
    }

    /// <summary>Security groups among <paramref name="groupIds"/> that exist.</summary>
    public async Task<IReadOnlyList<SecurityGroupInfo>> DescribeSecurityGroupsAsync(string region, IEnumerable<string> groupIds, CancellationToken cancel)
    {
        var parameters = FilterParameters("DescribeSecurityGroups", "group-id", groupIds);
        var document = await CallEc2Async(region, parameters, cancel);
        return Items(document, "securityGroupInfo")
            .Select(item => new SecurityGroupInfo(Child(item, "groupId"), Child(item, "vpcId")))
            .ToList();
    }

    public async Task<string> CreateSecurityGroupAsync(string region, string vpcId, string groupName, string description, IReadOnlyDictionary<string, string> tags, CancellationToken cancel)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", "CreateSecurityGroup"),
            new("GroupName", groupName),
            new("GroupDescription", description),
            new("VpcId", vpcId),
        };
        AddTagSpecification(parameters, "security-group", tags);

        var document = await CallEc2Async(region, parameters, cancel);
        return document.Descendants().First(e => e.Name.LocalName == "groupId").Value;
    }

    public async Task DeleteSecurityGroupAsync(string region, string groupId, CancellationToken cancel) =>
        await CallEc2Async(region, [new("Action", "DeleteSecurityGroup"), new("GroupId", groupId)], cancel);

    /// <summary>True when IAM knows a role with this ARN's name (the path is not compared, as IAM role names are unique).</summary>
    public async Task<bool> RoleExistsAsync(string roleArn, CancellationToken cancel)
    {
        var marker = roleArn.IndexOf(":role/", StringComparison.Ordinal);
        if (!roleArn.StartsWith("arn:", StringComparison.Ordinal) || marker < 0) return false;
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];

        using var request = Request("iam", "us-east-1",
            [new("Action", "GetRole"), new("Version", "2010-05-08"), new("RoleName", roleName)]);
        using var response = await moto.SendAsync(request, cancel);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, "IAM GetRole");
        return true;
    }

    /// <summary>STS GetCallerIdentity for requests signed with <paramref name="accessKeyId"/> (moto reads the key from the credential scope): ARN, user id and account.</summary>
    public async Task<CallerIdentity> GetCallerIdentityAsync(string accessKeyId, CancellationToken cancel)
    {
        using var request = Request("sts", "us-east-1", [new("Action", "GetCallerIdentity"), new("Version", "2011-06-15")], accessKeyId);
        using var response = await moto.SendAsync(request, cancel);
        await EnsureSuccessAsync(response, "STS GetCallerIdentity");
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
        string Value(string name) => document.Descendants().First(e => e.Name.LocalName == name).Value;
        return new CallerIdentity(Value("Arn"), Value("UserId"), Value("Account"));
    }

    public async Task ResetAsync(CancellationToken cancel)
    {
        using var response = await moto.PostAsync("moto-api/reset", null, cancel);
        await EnsureSuccessAsync(response, "moto reset");
    }

    /// <summary>Tags for the resource a Create call makes, as TagSpecification.1 (EC2's query form).</summary>
    private static void AddTagSpecification(List<KeyValuePair<string, string>> parameters, string resourceType, IReadOnlyDictionary<string, string> tags)
    {
        parameters.Add(new("TagSpecification.1.ResourceType", resourceType));
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"TagSpecification.1.Tag.{index}.Key", key));
            parameters.Add(new($"TagSpecification.1.Tag.{index}.Value", value));
            index++;
        }
    }

    private static List<KeyValuePair<string, string>> FilterParameters(string action, string filterName, IEnumerable<string> values)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Action", action), new("Filter.1.Name", filterName) };
        var index = 1;
        foreach (var value in values)
            parameters.Add(new(string.Create(CultureInfo.InvariantCulture, $"Filter.1.Value.{index++}"), value));
        return parameters;
    }

    private async Task<XDocument> CallEc2Async(string region, List<KeyValuePair<string, string>> parameters, CancellationToken cancel)
    {
        parameters.Add(new("Version", "2016-11-15"));
        using var request = Request("ec2", region, parameters);
        using var response = await moto.SendAsync(request, cancel);
        await EnsureSuccessAsync(response, "EC2 " + parameters[0].Value);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
    }

    private static HttpRequestMessage Request(string service, string region, IEnumerable<KeyValuePair<string, string>> form, string accessKeyId = "AKIAIOSFODNN7EXAMPLE")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = new FormUrlEncodedContent(form) };
        // Unsigned: moto only reads the credential scope to pick service and region.
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string call)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new MotoException($"{call} failed in moto with HTTP {(int)response.StatusCode}: {body}");
    }
}

public sealed class MotoException(string message) : Exception(message);
