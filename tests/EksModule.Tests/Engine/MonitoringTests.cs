using System.Text.Json.Nodes;
using EksModule.Engine.Clusters;
using EksModule.Engine.Monitoring;

namespace EksModule.Tests.Engine;

public sealed class MonitoringTests
{
    private static JsonNode Event(string name, string resource, string? requestName = null, string readOnly = "false") => new JsonObject
    {
        ["EventId"] = "e-1",
        ["EventName"] = name,
        ["ReadOnly"] = readOnly,
        ["EventTime"] = 1767225600.5,
        ["Username"] = "alice",
        ["Resources"] = new JsonArray(new JsonObject { ["ResourceType"] = "AWS::EKS::Cluster", ["ResourceName"] = resource }),
        ["CloudTrailEvent"] = new JsonObject
        {
            ["sourceIPAddress"] = "203.0.113.7",
            ["requestParameters"] = requestName is null ? null : new JsonObject { ["name"] = requestName },
        }.ToJsonString(),
    };

    private static readonly ApiEventQuery Demo = new("demo", null, null, null, null);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(3654)]
    public void RetentionOutsideTheCloudWatchListIsRefused(int days)
    {
        var error = Assert.Throws<InvalidClusterInputException>(() => LogRetention.ValidateDays(days));
        Assert.Equal("InvalidRetentionDays", error.ErrorId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(3653)]
    public void RetentionOnTheListIsAccepted(int days) => LogRetention.ValidateDays(days);

    [Fact]
    public void LookupAsksForEksEventsInTheWindowAndCarriesTheToken()
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var body = ApiEvents.LookupBody(new ApiEventQuery("demo", start, start.AddHours(1), null, null), "t2");
        var attribute = body["LookupAttributes"]!.AsArray().Single()!;
        Assert.Equal("EventSource", attribute["AttributeKey"]!.GetValue<string>());
        Assert.Equal("eks.amazonaws.com", attribute["AttributeValue"]!.GetValue<string>());
        Assert.Equal(1767225600, body["StartTime"]!.GetValue<long>());
        Assert.Equal(1767229200, body["EndTime"]!.GetValue<long>());
        Assert.Equal("t2", body["NextToken"]!.GetValue<string>());
        Assert.Equal(50, body["MaxResults"]!.GetValue<int>());
    }

    [Fact]
    public void AnEventAboutTheClusterBecomesAnApiEvent()
    {
        var parsed = ApiEvents.Parse(Event("UpdateClusterConfig", "arn:aws:eks:us-east-1:123456789012:cluster/demo"), Demo);
        Assert.NotNull(parsed);
        Assert.Equal("UpdateClusterConfig", parsed!.EventName);
        Assert.Equal("alice", parsed.Username);
        Assert.Equal("203.0.113.7", parsed.SourceIpAddress);
        Assert.False(parsed.ReadOnly);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, 500, DateTimeKind.Utc), parsed.EventTime);
        Assert.Contains("sourceIPAddress", parsed.CloudTrailEvent);
    }

    [Fact]
    public void NodeGroupEventsCountForTheirClusterButNotForAClusterWithALongerName()
    {
        var nodegroup = Event("CreateNodegroup", "arn:aws:eks:us-east-1:123456789012:nodegroup/demo/ng1/abc");
        Assert.NotNull(ApiEvents.Parse(nodegroup, Demo));
        Assert.Null(ApiEvents.Parse(Event("DeleteCluster", "arn:aws:eks:us-east-1:123456789012:cluster/demo2"), Demo));
    }

    [Fact]
    public void AnEventWithoutResourcesMatchesOnItsRequestParameters()
    {
        Assert.NotNull(ApiEvents.Parse(Event("CreateCluster", "unrelated", requestName: "demo"), Demo));
    }

    [Fact]
    public void EventNamesFilterCaseInsensitively()
    {
        var query = Demo with { EventNames = ["createnodegroup"] };
        Assert.Null(ApiEvents.Parse(Event("DeleteCluster", "demo"), query));
        Assert.NotNull(ApiEvents.Parse(Event("CreateNodegroup", "demo"), query));
    }
}
