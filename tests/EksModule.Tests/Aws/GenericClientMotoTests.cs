using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Eks;
using EksModule.Engine.Iam;
using EksModule.Tests.Infrastructure;

namespace EksModule.Tests.Aws;

[Collection("environment")]
public sealed class GenericClientMotoTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;

    public GenericClientMotoTests(MotoServer moto) => _moto = moto;

    private AwsSession Session(string region = "us-east-1") => AwsSession.Resolve(new AwsConnectionOptions
    {
        Region = region,
        AccessKey = MotoServer.AccessKey,
        SecretKey = MotoServer.SecretKey,
        EndpointUrl = _moto.Url,
    });

    [Fact]
    public async Task IamRoleRoundTripsThroughQueryProtocol()
    {
        using var session = Session();
        var manager = new RoleManager(new IamApi(session), session.Region);
        var role = await manager.EnsureAsync("roundtrip", RoleSpec.ClusterRole, new Dictionary<string, string> { ["team"] = "ops" }, default);
        Assert.Equal("eks-roundtrip-cluster", role.RoleName);
        Assert.StartsWith("arn:aws:iam::123456789012:role/", role.Arn);

        var again = await manager.PlanAsync("roundtrip", RoleSpec.ClusterRole, default);
        Assert.True(again.Exists);
        Assert.Empty(again.PolicyArnsToAttach);
        Assert.True(await manager.DeleteAsync("roundtrip", RoleSpec.ClusterRole, default));
        Assert.Null(await new IamApi(session).TryGetRoleAsync("eks-roundtrip-cluster", default));
    }

    [Fact]
    public async Task EksErrorsCarryTheAwsErrorCode()
    {
        using var session = Session();
        var error = await Assert.ThrowsAsync<AwsServiceError>(() => new EksApi(session).DescribeClusterAsync("nope", default));
        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.True(error.IsNotFound);
    }

    [Fact]
    public async Task ListClustersIsEmptyOnAFreshRegion()
    {
        using var session = Session("eu-west-1");
        Assert.Empty(await new EksApi(session).ListClustersAsync(default));
    }

    [Fact]
    public void RoleNamesStayWithinIamLimits()
    {
        var name = RoleManager.RoleNameFor(new string('a', 100), RoleSpec.ClusterRole);
        Assert.True(name.Length <= 64, name);
        Assert.NotEqual(name, RoleManager.RoleNameFor(new string('a', 99) + "b", RoleSpec.ClusterRole));
    }
}
