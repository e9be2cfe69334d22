using EksModule.Engine.Dns;
using EksModule.Engine.Errors;
using Xunit;

namespace EksModule.Tests.Dns;

public class ChangeBatcherTests
{
    private static RecordChange Change(ChangeAction action, int values = 1, int valueLength = 20, string name = "a.example.com")
        => new(action, new RecordSet(name, "TXT", 300, Enumerable.Range(0, values).Select(i => new string('x', valueLength - 1) + (char)('a' + i % 26)).ToList(), null));

    [Fact]
    public void Creates_count_once_so_1000_single_value_records_fit_one_request()
    {
        var batches = ChangeBatcher.Split(Enumerable.Range(0, 1000).Select(_ => Change(ChangeAction.Create)));
        Assert.Single(batches);
    }

    [Fact]
    public void Upserts_count_twice_so_only_500_fit_one_request()
    {
        var batches = ChangeBatcher.Split(Enumerable.Range(0, 1001).Select(_ => Change(ChangeAction.Upsert)));
        Assert.Equal(new[] { 500, 500, 1 }, batches.Select(b => b.Count));
    }

    [Fact]
    public void Deletes_count_once()
    {
        Assert.Equal(new[] { 1000, 1 }, ChangeBatcher.Split(Enumerable.Range(0, 1001).Select(_ => Change(ChangeAction.Delete))).Select(b => b.Count));
    }

    [Fact]
    public void Value_characters_are_limited_to_32000_with_upsert_doubling()
    {
        // 100 characters each: 320 creates fill 32,000 characters exactly; as upserts 160 do.
        Assert.Equal(new[] { 320, 1 }, ChangeBatcher.Split(Enumerable.Range(0, 321).Select(_ => Change(ChangeAction.Create, valueLength: 100))).Select(b => b.Count));
        Assert.Equal(new[] { 160, 1 }, ChangeBatcher.Split(Enumerable.Range(0, 161).Select(_ => Change(ChangeAction.Upsert, valueLength: 100))).Select(b => b.Count));
    }

    [Fact]
    public void Mixed_actions_fill_a_request_exactly_to_the_limit()
    {
        // 400 upserts (800) + 200 creates (200) = 1,000 ResourceRecord elements; the next one starts a new request.
        var changes = Enumerable.Range(0, 400).Select(_ => Change(ChangeAction.Upsert))
            .Concat(Enumerable.Range(0, 201).Select(_ => Change(ChangeAction.Create))).ToList();
        Assert.Equal(new[] { 600, 1 }, ChangeBatcher.Split(changes).Select(b => b.Count));
    }

    [Fact]
    public void Multi_value_records_count_each_value()
    {
        Assert.Equal((8, 160), ChangeBatcher.Cost(Change(ChangeAction.Upsert, values: 4)));
        Assert.Equal(new[] { 250, 250 }, ChangeBatcher.Split(Enumerable.Range(0, 500).Select(_ => Change(ChangeAction.Create, values: 4))).Select(b => b.Count));
    }

    [Fact]
    public void Alias_changes_carry_no_values_but_are_still_bounded()
    {
        var alias = new RecordChange(ChangeAction.Upsert, new RecordSet("a.example.com", "A", null, Array.Empty<string>(), new AliasTarget("Z1", "lb.example.com", true)));
        Assert.Equal((0, 0), ChangeBatcher.Cost(alias));
        Assert.Equal(new[] { 1000, 5 }, ChangeBatcher.Split(Enumerable.Repeat(alias, 1005)).Select(b => b.Count));
    }

    [Fact]
    public void A_record_set_too_big_for_any_request_is_refused()
    {
        var error = Assert.Throws<ModuleOperationException>(() => ChangeBatcher.Split(new[] { Change(ChangeAction.Upsert, values: 501) }));
        Assert.Equal("RecordSetTooLarge", error.ErrorId);
    }

    [Fact]
    public void Twenty_five_hundred_new_cnames_take_three_requests()
    {
        var changes = Enumerable.Range(1, 2500).Select(i => new RecordChange(ChangeAction.Create,
            new RecordSet($"host{i}.bulk.test", "CNAME", 60, new[] { $"target{i}.example.net" }, null)));
        Assert.Equal(new[] { 1000, 1000, 500 }, ChangeBatcher.Split(changes).Select(b => b.Count));
    }
}

public class HostedZoneMatcherTests
{
    private static readonly HostedZone[] Zones =
    {
        new("/hostedzone/ZPUB", "example.com.", false, 2),
        new("/hostedzone/ZSUB", "sub.example.com.", false, 2),
        new("/hostedzone/ZPRIV", "example.com.", true, 2),
        new("/hostedzone/ZOTHER", "ample.com.", false, 2),
    };

    [Theory]
    [InlineData("www.example.com", false, "ZPUB")]
    [InlineData("WWW.Example.COM.", false, "ZPUB")]
    [InlineData("example.com", false, "ZPUB")]
    [InlineData("a.b.sub.example.com", false, "ZSUB")]
    [InlineData("sub.example.com", false, "ZSUB")]
    [InlineData("www.example.com", true, "ZPRIV")]
    [InlineData("a.sub.example.com", true, "ZPRIV")]
    [InlineData("x.ample.com", false, "ZOTHER")]
    [InlineData("*.example.com", false, "ZPUB")]
    public void Picks_the_longest_suffix_of_the_wanted_visibility(string name, bool privateZone, string expected)
        => Assert.Equal(expected, HostedZoneMatcher.Match(Zones, name, privateZone)!.ShortId);

    [Theory]
    [InlineData("www.example.org", false)]
    [InlineData("notexample.com", false)]
    [InlineData("x.ample.com", true)]
    public void No_zone_when_no_suffix_matches_on_a_label_boundary(string name, bool privateZone)
        => Assert.Null(HostedZoneMatcher.Match(Zones, name, privateZone));

    [Fact]
    public void Two_public_zones_with_the_same_name_are_ambiguous()
    {
        var zones = Zones.Append(new HostedZone("/hostedzone/ZDUP", "example.com.", false, 2));
        Assert.Equal("AmbiguousHostedZone", Assert.Throws<ModuleOperationException>(() => HostedZoneMatcher.Match(zones, "www.example.com", false)).ErrorId);
    }

    [Theory]
    [InlineData("\\052.example.com.", "*.example.com.")]
    [InlineData("WWW.example.com", "www.example.com.")]
    public void Names_are_compared_the_way_route53_stores_them(string input, string expected)
        => Assert.Equal(expected, Route53Names.Normalize(input));

    [Fact]
    public void Txt_values_are_quoted_and_split_at_255_characters()
    {
        Assert.Equal("\"v=spf1 -all\"", DnsRecordService.NormalizeValue("TXT", "v=spf1 -all"));
        Assert.Equal("\"already\"", DnsRecordService.NormalizeValue("TXT", "\"already\""));
        Assert.Equal("\"say \\\"hi\\\"\"", DnsRecordService.NormalizeValue("TXT", "say \"hi\""));
        var split = DnsRecordService.NormalizeValue("TXT", new string('a', 300));
        Assert.Equal($"\"{new string('a', 255)}\" \"{new string('a', 45)}\"", split);
        Assert.Equal("host.example.net", DnsRecordService.NormalizeValue("CNAME", "host.example.net"));
    }

    [Fact]
    public void Change_batch_xml_has_the_route53_namespace_and_element_order()
    {
        var xml = Route53Api.ChangeBatchXml(new[]
        {
            new RecordChange(ChangeAction.Create, new RecordSet("a.example.com", "CNAME", 60, new[] { "b.example.com" }, null)),
            new RecordChange(ChangeAction.Upsert, new RecordSet("c.example.com", "A", null, Array.Empty<string>(), new AliasTarget("Z26RNL4JYFTOTI", "lb.elb.amazonaws.com", true))),
        }, "note");
        var root = xml.Root!;
        Assert.Equal(Route53Api.Ns + "ChangeResourceRecordSetsRequest", root.Name);
        var changes = root.Element(Route53Api.Ns + "ChangeBatch")!.Element(Route53Api.Ns + "Changes")!.Elements().ToList();
        Assert.Equal("CREATE", changes[0].Element(Route53Api.Ns + "Action")!.Value);
        Assert.Equal(new[] { "Name", "Type", "TTL", "ResourceRecords" },
            changes[0].Element(Route53Api.Ns + "ResourceRecordSet")!.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(new[] { "Name", "Type", "AliasTarget" },
            changes[1].Element(Route53Api.Ns + "ResourceRecordSet")!.Elements().Select(e => e.Name.LocalName));
    }
}
