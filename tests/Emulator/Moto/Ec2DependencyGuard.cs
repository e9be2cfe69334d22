using System.Text;
using EksEmulator.FrontDoor;
using Microsoft.AspNetCore.WebUtilities;

namespace EksEmulator.Moto;

/// <summary>
/// What EC2 refuses and moto 5.2.1 lets through. EC2 answers DependencyViolation (HTTP 400) to DeleteSubnet while a network
/// interface is still in the subnet ("The subnet '...' has dependencies and cannot be deleted.") and to DeleteSecurityGroup
/// while a network interface still uses the group ("resource sg-... has a dependent object"); moto deletes both and leaves
/// the interfaces behind. And EC2 deletes a NAT gateway's network interface with the NAT gateway, where moto keeps it.
/// </summary>
public sealed class Ec2DependencyGuard(MotoClient moto)
{
    /// <summary>The EC2 error for a delete that would leave network interfaces behind, or null to let the call through.</summary>
    public async Task<(string Code, string Message)?> RefusalAsync(AwsRequestInfo request, byte[] body, CancellationToken cancel)
    {
        if (request.Service != "ec2") return null;
        switch (request.Operation)
        {
            case "DeleteSubnet" when Parameter(body, "SubnetId") is { } subnetId:
                var inSubnet = await moto.DescribeNetworkInterfacesAsync(request.Region, "subnet-id", [subnetId], cancel);
                return inSubnet.Count == 0 ? null : ("DependencyViolation", $"The subnet '{subnetId}' has dependencies and cannot be deleted.");
            case "DeleteSecurityGroup" when Parameter(body, "GroupId") is { } groupId:
                var users = await moto.DescribeNetworkInterfacesAsync(request.Region, "group-id", [groupId], cancel);
                return users.Count == 0 ? null : ("DependencyViolation", $"resource {groupId} has a dependent object");
            default:
                return null;
        }
    }

    /// <summary>For DeleteNatGateway, the network interfaces of that NAT gateway, to delete once the call succeeded.</summary>
    public async Task<IReadOnlyList<string>> NatGatewayInterfacesAsync(AwsRequestInfo request, byte[] body, CancellationToken cancel)
    {
        if (request.Service != "ec2" || request.Operation != "DeleteNatGateway" || Parameter(body, "NatGatewayId") is not { } natGatewayId) return [];
        return await moto.DescribeNatGatewayInterfacesAsync(request.Region, natGatewayId, cancel);
    }

    public Task DeleteInterfacesAsync(string region, IReadOnlyList<string> networkInterfaceIds, CancellationToken cancel) =>
        Task.WhenAll(networkInterfaceIds.Select(id => moto.DeleteNetworkInterfaceAsync(region, id, cancel)));

    private static string? Parameter(byte[] body, string name)
    {
        var value = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))[name].ToString();
        return value.Length == 0 ? null : value;
    }
}
