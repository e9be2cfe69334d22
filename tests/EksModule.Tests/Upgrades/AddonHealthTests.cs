using EksModule.Engine.Upgrades;

namespace EksModule.Tests.Upgrades;

public sealed class AddonHealthTests
{
    private static Addon WithStatus(string status, params string[] issueCodes) => new()
    {
        AddonName = "coredns",
        Status = status,
        Health = new AddonHealth { Issues = issueCodes.Select(c => new AddonIssue { Code = c, Message = "m" }).ToList() },
    };

    [Fact]
    public void DegradedForWantOfReplicasOnlyIsWaitingForNodes() =>
        Assert.True(UpgradeService.IsWaitingForNodes(WithStatus("DEGRADED", "InsufficientNumberOfReplicas")));

    [Theory]
    [InlineData("DEGRADED")]                                                    // no reason given: something else is wrong
    [InlineData("DEGRADED", "ConfigurationConflict")]
    [InlineData("DEGRADED", "InsufficientNumberOfReplicas", "AccessDenied")]   // more than nodes missing
    [InlineData("CREATE_FAILED", "InsufficientNumberOfReplicas")]
    [InlineData("ACTIVE")]
    [InlineData("CREATING")]
    public void AnythingElseIsNot(string status, params string[] codes) =>
        Assert.False(UpgradeService.IsWaitingForNodes(WithStatus(status, codes)));
}
