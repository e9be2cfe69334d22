using Amazon.SecurityToken.Model;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.LoadBalancing;

namespace EksModule.Engine.Dns;

/// <summary>
/// The default owner id of the module's ownership marks: the ARN of the EKS cluster whose load balancer a record
/// points at (from the load balancer's cluster tag), else the caller's account as an ARN (arn:aws:iam::123456789012:root).
/// Both are stable across sessions, users and machines of one account.
/// </summary>
public sealed class DnsOwnerResolver
{
    private readonly AwsSession _session;
    private readonly ElbApi _elb;
    private string? _callerArn;
    private IReadOnlyList<LoadBalancerInfo>? _loadBalancers;
    private readonly Dictionary<string, string> _byLoadBalancer = new(StringComparer.OrdinalIgnoreCase);

    public DnsOwnerResolver(AwsSession session)
    {
        _session = session;
        _elb = new ElbApi(session);
    }

    public async Task<string> AccountOwnerAsync(CancellationToken ct)
        => DnsOwnership.AccountOwnerId(await CallerArnAsync(ct).ConfigureAwait(false));

    /// <summary>The cluster ARN for a load balancer tagged with its cluster, else the account owner.</summary>
    public async Task<string> ForLoadBalancerAsync(LoadBalancerInfo lb, CancellationToken ct)
    {
        if (_byLoadBalancer.TryGetValue(lb.Identifier, out var known)) return known;
        var cluster = DnsOwnership.ClusterNameFromTags(await _elb.TagsAsync(lb, ct).ConfigureAwait(false));
        string owner;
        if (cluster is null) owner = await AccountOwnerAsync(ct).ConfigureAwait(false);
        else
        {
            // An ELBv2 ARN names its partition, region and account; a Classic load balancer has no ARN.
            var parts = (lb.Arn ?? await CallerArnAsync(ct).ConfigureAwait(false)).Split(':');
            owner = DnsOwnership.ClusterOwnerId(parts[1], lb.Arn is null ? _session.Region : parts[3], parts[4], cluster);
        }
        return _byLoadBalancer[lb.Identifier] = owner;
    }

    /// <summary>The default owner of an existing record: by its alias target's load balancer when it has one, else the account.</summary>
    public async Task<string> ForRecordAsync(RecordSet record, CancellationToken ct)
    {
        if (record.Alias is { } alias)
        {
            var wanted = alias.DnsName.TrimEnd('.');
            try
            {
                _loadBalancers ??= (await _elb.ListV2Async(ct).ConfigureAwait(false)).Concat(await _elb.ListClassicAsync(ct).ConfigureAwait(false)).ToList();
            }
            catch (AwsServiceError)
            {
                // Without ELB read access the cluster cannot be told; the account owner applies (a cluster's mark then looks foreign, never the reverse).
                _loadBalancers = Array.Empty<LoadBalancerInfo>();
            }
            var lb = _loadBalancers.FirstOrDefault(l => string.Equals(l.DnsName, wanted, StringComparison.OrdinalIgnoreCase)
                || string.Equals("dualstack." + l.DnsName, wanted, StringComparison.OrdinalIgnoreCase));
            if (lb is not null) return await ForLoadBalancerAsync(lb, ct).ConfigureAwait(false);
        }
        return await AccountOwnerAsync(ct).ConfigureAwait(false);
    }

    private async Task<string> CallerArnAsync(CancellationToken ct)
        => _callerArn ??= (await _session.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct).ConfigureAwait(false)).Arn;
}
