using EksModule.Engine.Dns;
using EksModule.Engine.Errors;
using Xunit;

namespace EksModule.Tests.Dns;

/// <summary>A record and its ownership mark travel together, and the mark counts against Route 53's per-request limits.</summary>
public class OwnershipBatchingTests
{
    private const string Owner = "arn:aws:iam::123456789012:root";

    private static RecordSet Cname(int i) => new($"host{i}.bulk.test", "CNAME", 60, new[] { $"target{i}.example.net" }, null);

    private static IReadOnlyList<RecordChange> WithMark(ChangeAction action, RecordSet record, ChangeAction markAction = ChangeAction.Create)
        => new[] { new RecordChange(action, record), new RecordChange(markAction, DnsOwnership.Mark(record, Owner)) };

    [Fact]
    public void A_mark_costs_one_resource_record_and_its_value_characters()
    {
        var mark = new RecordChange(ChangeAction.Create, DnsOwnership.Mark(Cname(1), Owner));
        Assert.Equal("\"heritage=eksmodule,eksmodule/owner=arn:aws:iam::123456789012:root\"", mark.Record.Values.Single());
        Assert.Equal((1, mark.Record.Values.Single().Length), ChangeBatcher.Cost(mark));
    }

    [Fact]
    public void Five_hundred_records_with_short_values_and_marks_fill_the_1000_resource_record_limit()
    {
        // A mark owned by "o" is 37 characters: 500 pairs are 1,000 ResourceRecord elements and well under 32,000 characters.
        var pairs = Enumerable.Range(0, 501).Select(i =>
        {
            var record = new RecordSet($"h{i}.t", "A", 60, new[] { "192.0.2.1" }, null);
            return (IReadOnlyList<RecordChange>)new[] { new RecordChange(ChangeAction.Create, record), new RecordChange(ChangeAction.Create, DnsOwnership.Mark(record, "o")) };
        });
        Assert.Equal(new[] { 1000, 2 }, ChangeBatcher.SplitGroups(pairs).Select(b => b.Count));
    }

    [Fact]
    public void Marks_value_characters_count_so_2500_cnames_take_seven_requests()
    {
        // Each pair: 2 ResourceRecord elements; about 21 + 67 value characters, so about 360 pairs fit 32,000 characters.
        var batches = ChangeBatcher.SplitGroups(Enumerable.Range(1, 2500).Select(i => WithMark(ChangeAction.Create, Cname(i))));
        Assert.Equal(7, batches.Count);
        Assert.All(batches, b => Assert.True(b.Sum(c => ChangeBatcher.Cost(c).Characters) <= ChangeBatcher.MaxValueCharacters));
        Assert.Equal(5000, batches.Sum(b => b.Count));
    }

    [Fact]
    public void A_record_and_its_mark_are_never_split_across_requests()
    {
        var batches = ChangeBatcher.SplitGroups(Enumerable.Range(1, 2500).Select(i => WithMark(ChangeAction.Create, Cname(i))));
        foreach (var batch in batches)
        {
            var records = batch.Where(c => c.Record.Type == "CNAME").Select(c => DnsOwnership.MarkName(c.Record.Name, "CNAME")).ToHashSet();
            var marks = batch.Where(c => c.Record.Type == "TXT").Select(c => c.Record.Name).ToHashSet();
            Assert.Equal(records, marks);
        }
    }

    [Fact]
    public void An_adopted_record_counts_its_upsert_twice_and_its_new_mark_once()
    {
        // 333 adoptions (UPSERT record x2 + CREATE mark x1 = 3 each) make 999 elements; the 334th starts a new request.
        var groups = Enumerable.Range(0, 334).Select(i =>
        {
            var record = new RecordSet($"h{i}.t", "A", 60, new[] { "192.0.2.1" }, null);
            return (IReadOnlyList<RecordChange>)new[] { new RecordChange(ChangeAction.Upsert, record), new RecordChange(ChangeAction.Create, DnsOwnership.Mark(record, "o")) };
        });
        Assert.Equal(new[] { 666, 2 }, ChangeBatcher.SplitGroups(groups).Select(b => b.Count));
    }

    [Fact]
    public void A_record_whose_mark_pushes_it_over_the_limit_is_refused_before_sending()
    {
        var record = new RecordSet("big.t", "TXT", 60, Enumerable.Range(0, 500).Select(i => $"\"v{i}\"").ToList(), null);
        ChangeBatcher.Split(new[] { new RecordChange(ChangeAction.Upsert, record) }); // 1,000 elements alone: fits
        var error = Assert.Throws<ModuleOperationException>(() => ChangeBatcher.SplitGroups(new[] { WithMark(ChangeAction.Upsert, record) }));
        Assert.Equal("RecordSetTooLarge", error.ErrorId);
        Assert.Contains("ownership mark", error.Message);
    }
}

public class DnsOwnershipTests
{
    [Theory]
    [InlineData("api.shared.test", "CNAME", "_eksmodule-cname.api.shared.test.")]
    [InlineData("Shared.Test.", "A", "_eksmodule-a.shared.test.")]
    public void The_mark_is_one_label_below_the_record(string name, string type, string expected)
        => Assert.Equal(expected, DnsOwnership.MarkName(name, type));

    [Fact]
    public void ExternalDns_claims_are_looked_for_under_its_default_names_inside_the_zone()
    {
        Assert.Equal(new[] { "a-web.shared.test.", "cname-web.shared.test.", "web.shared.test." }, DnsOwnership.ExternalDnsMarkNames("web.shared.test", "A", "shared.test."));
        Assert.Equal(new[] { "cname-api.shared.test.", "api.shared.test." }, DnsOwnership.ExternalDnsMarkNames("api.shared.test", "CNAME", "shared.test."));
        // At the apex the prefixed name would be outside the zone.
        Assert.Equal(new[] { "shared.test." }, DnsOwnership.ExternalDnsMarkNames("shared.test", "AAAA", "shared.test."));
    }

    [Fact]
    public void Owners_are_read_from_both_heritages_and_other_txt_values_are_ignored()
    {
        var sets = new[]
        {
            new RecordSet("_eksmodule-a.web.shared.test.", "TXT", 300, new[] { "\"heritage=eksmodule,eksmodule/owner=team-a\"" }, null),
            new RecordSet("a-web.shared.test.", "TXT", 300, new[] { "\"heritage=external-dns,external-dns/owner=someone,external-dns/resource=service/default/web\"" }, null),
            new RecordSet("web.shared.test.", "TXT", 300, new[] { "\"v=spf1 -all\"", "\"heritage=other-tool,owner=x\"" }, null),
            // Our heritage outside a mark name is not our mark.
            new RecordSet("cname-web.shared.test.", "TXT", 300, new[] { "\"heritage=eksmodule,eksmodule/owner=forged\"" }, null),
        };
        var owners = DnsOwnership.Owners(sets);
        Assert.Equal(new[] { ("eksmodule", "team-a"), ("external-dns", "someone") }, owners.Select(o => (o.Heritage, o.OwnerId)));
        Assert.True(DnsRecordService.IsOwnedBy(owners, "team-a"));
        Assert.False(DnsRecordService.IsOwnedBy(owners, "someone"));
    }

    [Fact]
    public void Txt_values_split_in_character_strings_are_joined_before_parsing()
    {
        var labels = DnsOwnership.ParseLabels("\"heritage=external-dns,external-dns/ow\" \"ner=someone\"");
        Assert.Equal("someone", labels!["external-dns/owner"]);
        Assert.Null(DnsOwnership.ParseLabels("\"v=spf1 -all\""));
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("a=b")]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("quote\"")]
    public void Owner_ids_that_would_break_the_mark_are_refused(string ownerId)
        => Assert.Equal("InvalidOwnerId", Assert.Throws<InvalidRecordInputException>(() => DnsOwnership.ValidateOwnerId(ownerId)).ErrorId);

    [Fact]
    public void Default_owner_ids_are_the_account_arn_or_the_cluster_arn()
    {
        Assert.Equal("arn:aws:iam::123456789012:root", DnsOwnership.AccountOwnerId("arn:aws:sts::123456789012:assumed-role/Admin/alice"));
        Assert.Equal("arn:aws-cn:iam::123456789012:root", DnsOwnership.AccountOwnerId("arn:aws-cn:iam::123456789012:user/bob"));
        Assert.Equal("demo", DnsOwnership.ClusterNameFromTags(new Dictionary<string, string> { ["elbv2.k8s.aws/cluster"] = "demo" }));
        Assert.Equal("demo", DnsOwnership.ClusterNameFromTags(new Dictionary<string, string> { ["kubernetes.io/cluster/demo"] = "owned" }));
        Assert.Null(DnsOwnership.ClusterNameFromTags(new Dictionary<string, string> { ["team"] = "web" }));
        Assert.Equal("arn:aws:eks:us-east-1:123456789012:cluster/demo", DnsOwnership.ClusterOwnerId("aws", "us-east-1", "123456789012", "demo"));
    }
}
