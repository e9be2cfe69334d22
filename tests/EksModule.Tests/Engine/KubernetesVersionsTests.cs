using EksModule.Engine.Clusters;

namespace EksModule.Tests.Engine;

public sealed class KubernetesVersionsTests
{
    [Fact]
    public void TheDefaultIsTheNewestVersionInStandardSupport()
    {
        Assert.Equal("1.35", KubernetesVersions.DefaultVersion(new DateOnly(2026, 11, 27)));
        // Before 1.35 was released, 1.34 was the newest.
        Assert.Equal("1.34", KubernetesVersions.DefaultVersion(new DateOnly(2026, 1, 1)));
    }

    [Fact]
    public void VersionsPastExtendedSupportCannotBeCreated()
    {
        var today = new DateOnly(2026, 11, 27);
        Assert.DoesNotContain("1.29", KubernetesVersions.Creatable(today));
        Assert.Contains("1.32", KubernetesVersions.Creatable(today)); // extended support
        var error = Assert.Throws<InvalidClusterInputException>(() => ClusterValidation.ResolveVersion("1.29", today));
        Assert.Equal("UnsupportedKubernetesVersion", error.ErrorId);
        Assert.Contains("1.35", error.Message);
    }

    [Fact]
    public void NextIsOneMinorUp() => Assert.Equal("1.35", KubernetesVersions.Next("1.34"));

    [Theory]
    [InlineData("demo", true)]
    [InlineData("a", true)]
    [InlineData("prod_eu-1", true)]
    [InlineData("-lead", false)]
    [InlineData("has space", false)]
    [InlineData("", false)]
    public void ClusterNamesFollowEksRules(string name, bool valid)
    {
        var error = Record.Exception(() => ClusterValidation.ValidateName(name));
        Assert.Equal(valid, error is null);
    }

    [Fact]
    public void ClusterNamesAreAtMost100Characters()
    {
        ClusterValidation.ValidateName(new string('a', 100));
        Assert.Throws<InvalidClusterInputException>(() => ClusterValidation.ValidateName(new string('a', 101)));
    }

    [Fact]
    public void LogTypesAreNormalisedToEksSpelling()
        => Assert.Equal(new[] { "api", "controllerManager" }, ClusterValidation.NormalizeLogTypes(new[] { "API", "controllermanager", "api" }));
}
