using EksModule.Engine.Access;

namespace EksModule.Tests.Access;

public sealed class AwsAuthSectionTests
{
    private const string MapRoles = """
        - rolearn: arn:aws:iam::123456789012:role/nodes
          username: system:node:{{EC2PrivateDNSName}}
          groups:
            - system:bootstrappers
            - system:nodes
        - rolearn: arn:aws:iam::123456789012:role/ops
          username: ops
          groups: [ops-team]
          extra: kept
        """;

    [Fact]
    public void Upsert_adds_a_mapping_and_keeps_the_others_with_their_keys()
    {
        var section = AwsAuthSection.Parse("mapRoles", MapRoles);
        Assert.True(section.Upsert("arn:aws:iam::123456789012:role/admin", "admin", new[] { "system:masters" }));
        var reread = AwsAuthSection.Parse("mapRoles", section.ToYaml());
        Assert.Equal(3, reread.Mappings.Count());
        Assert.Equal(new[] { "system:bootstrappers", "system:nodes" }, reread.Find("arn:aws:iam::123456789012:role/nodes")!.Groups);
        Assert.Equal("system:node:{{EC2PrivateDNSName}}", reread.Find("arn:aws:iam::123456789012:role/nodes")!.Username);
        Assert.Contains("extra: kept", section.ToYaml());
        Assert.Equal(new[] { "system:masters" }, reread.Find("arn:aws:iam::123456789012:role/admin")!.Groups);
    }

    [Fact]
    public void Upsert_of_what_is_there_changes_nothing_and_merges_groups_otherwise()
    {
        var section = AwsAuthSection.Parse("mapRoles", MapRoles);
        Assert.False(section.Upsert("arn:aws:iam::123456789012:role/ops", "ops", new[] { "ops-team" }));
        Assert.True(section.Upsert("arn:aws:iam::123456789012:role/ops", "ops", new[] { "viewers" }));
        Assert.Equal(new[] { "ops-team", "viewers" }, section.Find("arn:aws:iam::123456789012:role/ops")!.Groups);
    }

    [Fact]
    public void Remove_takes_one_mapping_or_only_some_groups()
    {
        var section = AwsAuthSection.Parse("mapRoles", MapRoles);
        Assert.True(section.Remove("arn:aws:iam::123456789012:role/nodes", new[] { "system:nodes" }));
        Assert.Equal(new[] { "system:bootstrappers" }, section.Find("arn:aws:iam::123456789012:role/nodes")!.Groups);
        Assert.True(section.Remove("arn:aws:iam::123456789012:role/ops", null));
        Assert.False(section.Remove("arn:aws:iam::123456789012:role/ops", null));
        Assert.Single(AwsAuthSection.Parse("mapRoles", section.ToYaml()).Mappings);
    }

    [Fact]
    public void Users_go_to_mapUsers_and_roles_to_mapRoles()
    {
        Assert.Equal("mapUsers", AwsAuthSection.SectionFor("arn:aws:iam::123456789012:user/alice"));
        Assert.Equal("mapRoles", AwsAuthSection.SectionFor("arn:aws:iam::123456789012:role/path/ops"));
        Assert.Equal("userarn", AwsAuthSection.Parse("mapUsers", "").ArnKey);
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_what_to_do()
    {
        var error = Assert.Throws<EksModule.Engine.Errors.ModuleOperationException>(() => AwsAuthSection.Parse("mapUsers", "key: [unclosed"));
        Assert.Equal("InvalidAwsAuth", error.ErrorId);
    }

    [Fact]
    public void Role_default_username_is_the_assumed_role_template()
        => Assert.Equal("arn:aws:sts::123456789012:assumed-role/ops/{{SessionName}}",
            ClusterAccessService.DefaultUsername("arn:aws:iam::123456789012:role/team/ops"));
}
