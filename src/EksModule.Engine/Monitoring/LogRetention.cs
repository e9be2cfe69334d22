using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Errors;

namespace EksModule.Engine.Monitoring;

/// <summary>The control plane log group of a cluster as CloudWatch Logs reports it; RetentionInDays null means "never expire".</summary>
public sealed record ClusterLogGroup(string ClusterName, string LogGroupName, int? RetentionInDays, bool Exists);

/// <summary>Retention of a cluster's control plane log group (/aws/eks/&lt;cluster&gt;/cluster), over the awsJson CloudWatch Logs API.</summary>
public sealed class LogRetention
{
    /// <summary>The only values PutRetentionPolicy accepts.</summary>
    public static readonly IReadOnlyList<int> ValidDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    private readonly GenericServiceClient _logs;

    public LogRetention(AwsSession session) => _logs = session.Client(ServiceDefinition.CloudWatchLogs);

    public static string LogGroupName(string clusterName) => $"/aws/eks/{clusterName}/cluster";

    /// <summary>Refuses a value CloudWatch Logs would reject, naming the nearest valid ones, before any request.</summary>
    public static void ValidateDays(int days)
    {
        if (ValidDays.Contains(days)) return;
        var below = ValidDays.LastOrDefault(d => d < days);
        var above = ValidDays.FirstOrDefault(d => d > days);
        var nearest = string.Join(" or ", new[] { below, above }.Where(d => d > 0));
        throw new Clusters.InvalidClusterInputException("InvalidRetentionDays",
            $"CloudWatch Logs keeps logs for one of {string.Join(", ", ValidDays)} days, not {days}; the nearest are {nearest}.", "RetentionDays");
    }

    public async Task<ClusterLogGroup> GetAsync(string clusterName, CancellationToken ct)
    {
        var name = LogGroupName(clusterName);
        string? token = null;
        do
        {
            var body = new JsonObject { ["logGroupNamePrefix"] = name };
            if (token is not null) body["nextToken"] = token;
            var json = await SendAsync("DescribeLogGroups", body, ct).ConfigureAwait(false);
            foreach (var group in json?["logGroups"]?.AsArray() ?? [])
            {
                if (group?["logGroupName"]?.GetValue<string>() == name)
                    return new ClusterLogGroup(clusterName, name, group["retentionInDays"]?.GetValue<int>(), true);
            }
            token = json?["nextToken"]?.GetValue<string>();
        } while (!string.IsNullOrEmpty(token));
        return new ClusterLogGroup(clusterName, name, null, false);
    }

    /// <summary>Creates the log group when absent (EKS makes it on the first log line, retention can be set before), then sets retention.</summary>
    public async Task<ClusterLogGroup> SetAsync(string clusterName, int days, IProgress<string>? log, CancellationToken ct)
    {
        ValidateDays(days);
        var name = LogGroupName(clusterName);
        var current = await GetAsync(clusterName, ct).ConfigureAwait(false);
        if (!current.Exists)
        {
            log?.Report($"Create log group {name}");
            try { await SendAsync("CreateLogGroup", new JsonObject { ["logGroupName"] = name }, ct).ConfigureAwait(false); }
            catch (AwsServiceError e) when (e.ErrorCode == "ResourceAlreadyExistsException") { /* EKS made it meanwhile */ }
        }

        if (current.RetentionInDays != days)
        {
            log?.Report($"Set retention of {name} to {days} days");
            await SendAsync("PutRetentionPolicy", new JsonObject { ["logGroupName"] = name, ["retentionInDays"] = days }, ct).ConfigureAwait(false);
        }
        return current with { RetentionInDays = days, Exists = true };
    }

    private async Task<JsonNode?> SendAsync(string operation, JsonObject body, CancellationToken ct)
    {
        var request = new AwsRequest(operation, "POST", "/") { Body = Encoding.UTF8.GetBytes(body.ToJsonString()) };
        var response = await _logs.SendAsync(request, ct).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(response.Body) ? null : JsonNode.Parse(response.Body);
    }
}
