using System.Collections;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.NodeGroups;
using EksModule.Engine.Upgrades;

namespace EksModule.Tests.Upgrades;

public sealed class UpgradePlannerTests
{
    private static AddonVersionInfo Version(string version, params (string Cluster, bool Default)[] compatibilities) => new()
    {
        AddonVersion = version,
        Compatibilities = compatibilities.Select(c => new AddonCompatibility { ClusterVersion = c.Cluster, DefaultVersion = c.Default }).ToList(),
    };

    private static Addon Installed(string name, string version) => new() { AddonName = name, AddonVersion = version, Status = "ACTIVE" };

    private static Nodegroup NodeGroup(string name, string version) => new() { NodegroupName = name, Version = version, Status = "ACTIVE" };

    [Theory]
    [InlineData("1.30", "1.31", true)]
    [InlineData("1.30", "1.30", true)]   // finishing add-ons and node groups of an upgrade already made
    [InlineData("1.30", "1.32", false)]  // two minors
    [InlineData("1.31", "1.30", false)]  // downgrade
    public void OnlyTheNextMinorOrTheCurrentOneIsAllowed(string current, string requested, bool allowed)
    {
        var check = () => UpgradePlanner.CheckTarget("c", current, requested);
        if (allowed) check();
        else
        {
            var e = Assert.Throws<ModuleOperationException>(check);
            Assert.Equal("UnsupportedVersionUpgrade", e.ErrorId);
            Assert.Contains($"-KubernetesVersion {KubernetesVersionsNext(current)}", e.Message);
        }
    }

    private static string KubernetesVersionsNext(string v) => EksModule.Engine.Clusters.KubernetesVersions.Next(v)!;

    [Fact]
    public void TextThatIsNoVersionIsRefusedWithItsOwnErrorId()
        => Assert.Equal("InvalidKubernetesVersion", Assert.Throws<ModuleOperationException>(() => UpgradePlanner.CheckTarget("c", "1.30", "latest")).ErrorId);

    [Fact]
    public void TheAddonVersionIsTheDefaultForTheTargetElseTheNewestCompatible()
    {
        var versions = new[]
        {
            Version("v1.19.5-eksbuild.1", ("1.33", true), ("1.32", false)),
            Version("v1.19.2-eksbuild.10", ("1.32", true)),
            Version("v1.19.2-eksbuild.9", ("1.32", false)),
        };
        Assert.Equal("v1.19.2-eksbuild.10", UpgradePlanner.ChooseAddonVersion(versions, "1.32"));
        Assert.Equal("v1.19.5-eksbuild.1", UpgradePlanner.LatestAddonVersion(versions, "1.32"));
        Assert.Null(UpgradePlanner.ChooseAddonVersion(versions, "1.34"));
        var noDefault = new[] { Version("v1.2.0-eksbuild.1", ("1.32", false)), Version("v1.10.0-eksbuild.1", ("1.32", false)) };
        Assert.Equal("v1.10.0-eksbuild.1", UpgradePlanner.ChooseAddonVersion(noDefault, "1.32"));
    }

    [Fact]
    public void ThePlanIsControlPlaneThenAddonsThenNodeGroups()
    {
        var plan = UpgradePlanner.Build("c", "1.31", "1.32",
            new[]
            {
                new AddonCandidate(Installed("vpc-cni", "v1.18.0-eksbuild.1"), new[] { Version("v1.19.2-eksbuild.1", ("1.32", true)) }),
                new AddonCandidate(Installed("coredns", "v1.11.3-eksbuild.2"), new[] { Version("v1.11.4-eksbuild.1", ("1.32", true)) }),
            },
            new[] { NodeGroup("web", "1.31"), NodeGroup("api", "1.31") }, Array.Empty<InsightSummary>(), includeAddons: true, includeNodeGroups: false);

        Assert.Empty(plan.Problems);
        Assert.Equal(new[] { "ControlPlane:c", "Addon:coredns", "Addon:vpc-cni", "NodeGroup:api", "NodeGroup:web" },
            plan.Steps.Select(s => $"{s.Kind}:{s.Resource}"));
        Assert.All(plan.Steps.Where(s => s.Kind == UpgradeStepKind.NodeGroup), s => Assert.False(s.Included));
        Assert.Contains("-IncludeNodeGroups", plan.Steps.Last().Description);
        Assert.Equal("v1.11.4-eksbuild.1", plan.Steps[1].ToVersion);
    }

    [Fact]
    public void AnAddonNewerThanTheDefaultThatRunsOnTheTargetIsNotMovedBack()
    {
        var plan = UpgradePlanner.Build("c", "1.31", "1.32",
            new[] { new AddonCandidate(Installed("vpc-cni", "v1.19.5-eksbuild.1"), new[] { Version("v1.19.5-eksbuild.1", ("1.32", false)), Version("v1.19.2-eksbuild.1", ("1.32", true)) }) },
            Array.Empty<Nodegroup>(), Array.Empty<InsightSummary>(), true, true);
        Assert.DoesNotContain(plan.Steps, s => s.Kind == UpgradeStepKind.Addon);
    }

    [Fact]
    public void PreflightFindsAddonsWithoutATargetVersionKubeletSkewAndFailingInsights()
    {
        var plan = UpgradePlanner.Build("c", "1.33", "1.34",
            new[] { new AddonCandidate(Installed("snapshot-controller", "v8.2.0-eksbuild.1"), Array.Empty<AddonVersionInfo>()) },
            new[] { NodeGroup("old", "1.30"), NodeGroup("ok", "1.31") },
            new[]
            {
                new InsightSummary { Name = "Kubelet version skew", InsightStatus = new InsightStatus { Status = "ERROR", Reason = "old" } },
                new InsightSummary { Name = "Deprecated APIs", InsightStatus = new InsightStatus { Status = "WARNING", Reason = "v1beta1" } },
            }, true, true);

        Assert.Equal(3, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.Contains("snapshot-controller") && p.Contains("no version for Kubernetes 1.34"));
        Assert.Contains(plan.Problems, p => p.Contains("Node group old") && p.Contains("more than 3 minor versions"));
        Assert.DoesNotContain(plan.Problems, p => p.Contains("Node group ok"));
        Assert.Contains(plan.Warnings, w => w.Contains("Deprecated APIs"));
    }

    [Fact]
    public void ConfigChangesAreOneCallPerKindAndOnlyWhatDiffers()
    {
        var cluster = new Cluster
        {
            Name = "c",
            Logging = new Logging { ClusterLogging = { new LogSetup { Types = { "api" }, Enabled = true } } },
            ResourcesVpcConfig = new VpcConfigResponse { EndpointPublicAccess = true, EndpointPrivateAccess = false, PublicAccessCidrs = { "0.0.0.0/0" } },
        };
        var changes = UpgradeService.PlanConfig(cluster, new[] { "api", "audit" }, null, null, true, new[] { "203.0.113.0/24" });
        Assert.Equal(2, changes.Count);
        Assert.Equal(new[] { "audit" }, changes[0].Request.Logging!.ClusterLogging.Single().Types);
        Assert.True(changes[1].Request.ResourcesVpcConfig!.EndpointPrivateAccess);
        Assert.Equal(new[] { "203.0.113.0/24" }, changes[1].Request.ResourcesVpcConfig!.PublicAccessCidrs);

        Assert.Empty(UpgradeService.PlanConfig(cluster, new[] { "api" }, new[] { "scheduler" }, true, false, new[] { "0.0.0.0/0" }));
        var e = Assert.Throws<ModuleOperationException>(() => UpgradeService.PlanConfig(cluster, null, null, false, false, null));
        Assert.Equal("InvalidEndpointAccess", e.ErrorId);
    }

    [Fact]
    public void VpcCniSettingsGoUnderEnvAsStrings()
    {
        var json = AddonConfiguration.ToJson("vpc-cni", new Hashtable { ["ENABLE_PREFIX_DELEGATION"] = true, ["WARM_IP_TARGET"] = 5, ["enableNetworkPolicy"] = "true" });
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        Assert.Equal("true", node["env"]!["ENABLE_PREFIX_DELEGATION"]!.GetValue<string>());
        Assert.Equal("5", node["env"]!["WARM_IP_TARGET"]!.GetValue<string>());
        Assert.Equal("true", node["enableNetworkPolicy"]!.GetValue<string>());

        var coredns = System.Text.Json.Nodes.JsonNode.Parse(AddonConfiguration.ToJson("coredns", new Hashtable { ["replicaCount"] = 3, ["nodeSelector"] = new Hashtable { ["role"] = "system" } }))!;
        Assert.Equal(3, coredns["replicaCount"]!.GetValue<long>());
        Assert.Equal("system", coredns["nodeSelector"]!["role"]!.GetValue<string>());
        Assert.Null(coredns["env"]);
    }

    [Fact]
    public void AddonVersionsCompareByTheirNumbers()
    {
        Assert.True(AddonVersionComparer.Instance.Compare("v1.19.10-eksbuild.1", "v1.19.9-eksbuild.3") > 0);
        Assert.True(AddonVersionComparer.Instance.Compare("v1.19.2-eksbuild.10", "v1.19.2-eksbuild.9") > 0);
    }
}
