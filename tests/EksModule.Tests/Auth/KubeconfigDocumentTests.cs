using EksModule.Engine.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace EksModule.Tests.Auth;

public sealed class KubeconfigDocumentTests
{
    private static KubeconfigEntry Entry(string context = "arn:aws:eks:us-east-1:123456789012:cluster/demo") => new(
        "arn:aws:eks:us-east-1:123456789012:cluster/demo", "https://ABC.gr7.us-east-1.eks.amazonaws.com", "Q0E=",
        "arn:aws:eks:us-east-1:123456789012:cluster/demo", context,
        new ExecPlugin("/opt/eks/eks-token-helper", new[] { "token", "--cluster-name", "0123", "--region", "us-east-1" }, new Dictionary<string, string> { ["AWS_PROFILE"] = "true" }));

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Fact]
    public void A_new_file_gets_the_entry_as_current_context()
    {
        var yaml = KubeconfigDocument.Merge(null, Entry(), setCurrentContext: false, out var current);
        Assert.True(current);
        var root = Parse(yaml);
        Assert.Equal("Config", root["kind"].ToString());
        Assert.Equal(Entry().ContextName, root["current-context"].ToString());
        Assert.DoesNotContain("...", yaml);
    }

    [Fact]
    public void Strings_that_look_like_numbers_or_booleans_stay_strings()
    {
        var yaml = KubeconfigDocument.Merge(null, Entry(), false, out _);
        Assert.Contains("- \"0123\"", yaml);
        Assert.Contains("value: \"true\"", yaml);
    }

    [Fact]
    public void An_entry_of_the_same_name_is_replaced_not_duplicated_and_others_are_kept()
    {
        const string existing = "apiVersion: v1\nkind: Config\nclusters:\n- name: arn:aws:eks:us-east-1:123456789012:cluster/demo\n  cluster: {server: https://old}\n- name: other\n  cluster:\n    server: https://other\n    custom-field: [1, 2]\nusers: []\ncontexts: null\ncurrent-context: other\nx-extra: keep\n";
        var yaml = KubeconfigDocument.Merge(existing, Entry(), false, out var current);
        Assert.False(current);
        var root = Parse(yaml);
        var clusters = (YamlSequenceNode)root["clusters"];
        Assert.Equal(2, clusters.Children.Count);
        Assert.Contains("https://ABC.gr7", yaml);
        Assert.DoesNotContain("https://old", yaml);
        Assert.Contains("custom-field: [1, 2]", yaml);
        Assert.Equal("keep", root["x-extra"].ToString());
        Assert.Equal("other", root["current-context"].ToString());
        Assert.Single(((YamlSequenceNode)root["contexts"]).Children);
    }

    [Fact]
    public void Merging_twice_gives_the_same_text()
    {
        var once = KubeconfigDocument.Merge(null, Entry(), false, out _);
        Assert.Equal(once, KubeconfigDocument.Merge(once, Entry(), false, out _));
    }

    [Theory]
    [InlineData("- a list")]
    [InlineData("key: [unclosed")]
    public void Not_a_kubeconfig_mapping_is_refused(string yaml)
        => Assert.Throws<InvalidKubeconfigException>(() => KubeconfigDocument.Merge(yaml, Entry(), false, out _));

    [Fact]
    public void Default_path_is_the_first_KUBECONFIG_entry_else_home_kube_config()
    {
        var sep = Path.PathSeparator;
        Assert.Equal("/a/one", KubeconfigDocument.DefaultPath($"/a/one{sep}/b/two", "/home/u"));
        Assert.Equal(Path.Combine("/home/u", ".kube", "config"), KubeconfigDocument.DefaultPath(null, "/home/u"));
        Assert.Equal(Path.Combine("/home/u", ".kube", "config"), KubeconfigDocument.DefaultPath("", "/home/u"));
    }

    [Fact]
    public void Atomic_write_replaces_the_file_owner_only()
    {
        var dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;
        var path = Path.Combine(dir, "config");
        File.WriteAllText(path, "old");
        KubeconfigDocument.WriteAtomic(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Directory.Delete(dir, recursive: true);
    }
}
