using System.Text.Json.Nodes;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Iam;

namespace EksModule.Tests.Iam;

public sealed class ServiceAccountRoleTests
{
    private const string Issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    private const string ProviderArn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    [Fact]
    public void TheTrustPolicyLetsOnlyTheAddonsServiceAccountAssumeTheRoleWithAnStsToken()
    {
        var ebs = AddonServiceAccount.Find("aws-ebs-csi-driver")!;
        var policy = JsonNode.Parse(ebs.TrustPolicy(ProviderArn, OidcProviderManager.HostPath(Issuer)))!;
        Assert.Equal("2012-10-17", policy["Version"]!.GetValue<string>());
        var statement = Assert.Single(policy["Statement"]!.AsArray())!;
        Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
        Assert.Equal(ProviderArn, statement["Principal"]!["Federated"]!.GetValue<string>());
        Assert.Equal("sts:AssumeRoleWithWebIdentity", statement["Action"]!.GetValue<string>());
        var conditions = statement["Condition"]!["StringEquals"]!.AsObject();
        Assert.Equal(2, conditions.Count);
        Assert.Equal("system:serviceaccount:kube-system:ebs-csi-controller-sa",
            conditions["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub"]!.GetValue<string>());
        Assert.Equal("sts.amazonaws.com", conditions["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("aws-ebs-csi-driver", "kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy")]
    [InlineData("vpc-cni", "kube-system", "aws-node", "AmazonEKS_CNI_Policy")]
    public void KnownAddonsNameTheirServiceAccountAndManagedPolicy(string addon, string ns, string serviceAccount, string policy)
    {
        var known = AddonServiceAccount.Find(addon)!;
        Assert.Equal((ns, serviceAccount), (known.Namespace, known.ServiceAccountName));
        Assert.Equal(new[] { policy }, known.ManagedPolicyNames);
        var roles = new RoleManager(null!, "us-east-1");
        Assert.Equal($"arn:aws:iam::aws:policy/{policy}", roles.PolicyArn(policy));
        Assert.Equal($"eks-demo-{addon}", RoleManager.RoleNameFor("demo", known.RoleSpec()));
        Assert.Equal("-ServiceAccountRoleArn", known.RoleSpec().RoleArnParameter);
    }

    [Fact]
    public void AnAddonWithoutARecipeIsNotGuessed() => Assert.Null(AddonServiceAccount.Find("coredns"));

    [Fact]
    public void TheRoleSpecCarriesTheTrustPolicyItIsGiven()
    {
        var spec = AddonServiceAccount.Find("vpc-cni")!.RoleSpec("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
        Assert.Equal("{\"Version\":\"2012-10-17\",\"Statement\":[]}", new RoleManager(null!, "us-east-1").TrustPolicy(spec));
        Assert.Null(spec.TrustedService);
    }

    [Theory]
    [InlineData("arn:aws:eks:eu-west-1:111122223333:cluster/demo", ProviderArn)]
    [InlineData("arn:aws-cn:eks:cn-north-1:111122223333:cluster/demo",
        "arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")]
    public void TheProviderArnIsKnownBeforeTheProviderExists(string clusterArn, string expected)
        => Assert.Equal(expected, OidcProviderManager.ProviderArn(clusterArn, Issuer));

    [Fact]
    public void AClusterWithoutAnIssuerIsReportedWithWhatToDo()
    {
        var e = Assert.Throws<ModuleOperationException>(() => OidcProviderManager.IssuerOf(new Cluster { Name = "demo", Status = "CREATING" }));
        Assert.Equal("ClusterHasNoOidcIssuer", e.ErrorId);
        Assert.Contains("Wait-EksCluster -Name demo", e.Message);
    }

    [Fact]
    public void AMissingProviderIsCreatedByTheModule()
    {
        var plan = OidcProviderManager.Plan("demo", Issuer, ProviderArn, null);
        Assert.True(plan.HasWork);
        Assert.False(plan.Exists);
        Assert.True(plan.CreatedByModule);
        Assert.Equal("oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", plan.HostPath);
    }

    [Fact]
    public void AProviderMadeElsewhereIsUsedAsItIsAndOnlyGetsTheStsAudienceWhenMissing()
    {
        var eksctl = new OidcProvider(ProviderArn, Issuer[8..], new[] { "sts.amazonaws.com" }, new Dictionary<string, string> { ["alpha.eksctl.io/cluster-name"] = "demo" });
        var plan = OidcProviderManager.Plan("demo", Issuer, ProviderArn, eksctl);
        Assert.False(plan.HasWork);
        Assert.False(plan.CreatedByModule);

        var withoutSts = eksctl with { ClientIds = new[] { "other" } };
        var fix = OidcProviderManager.Plan("demo", Issuer, ProviderArn, withoutSts);
        Assert.True(fix.HasWork);
        Assert.True(fix.NeedsAudience);
        Assert.True(fix.Exists);
    }

    [Fact]
    public void AProviderTaggedForTheClusterIsTheModules()
    {
        var ours = new OidcProvider(ProviderArn, Issuer[8..], new[] { "sts.amazonaws.com" }, new Dictionary<string, string> { [RoleManager.ClusterTag] = "demo" });
        Assert.True(OidcProviderManager.Plan("demo", Issuer, ProviderArn, ours).CreatedByModule);
        Assert.False(OidcProviderManager.Plan("other", Issuer, ProviderArn, ours).CreatedByModule);
    }

    [Theory]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}", "{ \"Statement\": [ { \"Effect\": \"Allow\" } ], \"Version\": \"2012-10-17\" }", true)]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[]}", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}", false)]
    [InlineData(null, "{}", false)]
    public void TrustPoliciesAreComparedAsJson(string? current, string wanted, bool same)
        => Assert.Equal(same, RoleManager.SamePolicy(current, wanted));
}
