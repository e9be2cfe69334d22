namespace EksModule.Engine.Network;

/// <summary>How the private subnets reach the internet.</summary>
public enum NatGatewayMode
{
    /// <summary>One NAT gateway in the first AZ; cheapest, but an AZ outage cuts egress for all AZs.</summary>
    Single,
    /// <summary>One NAT gateway per AZ, each private subnet routes through the NAT gateway in its own AZ.</summary>
    HighlyAvailable,
    /// <summary>No NAT gateway; private subnets get no default route (use VPC endpoints for AWS APIs).</summary>
    None,
}

/// <summary>What the network of a new cluster should look like.</summary>
/// <param name="Tags">Extra tags put on every resource; keys reserved by the module are rejected by validation.</param>
public sealed record NetworkPlan(
    string ClusterName,
    string VpcCidr,
    int AvailabilityZoneCount,
    NatGatewayMode Nat,
    IReadOnlyDictionary<string, string> Tags)
{
    public NetworkPlan(string clusterName, string vpcCidr = "192.168.0.0/16", int availabilityZoneCount = 3, NatGatewayMode nat = NatGatewayMode.Single)
        : this(clusterName, vpcCidr, availabilityZoneCount, nat, new Dictionary<string, string>())
    {
    }
}

/// <summary>The public and private subnet CIDR carved for the AZ at <paramref name="Index"/> (0-based, AZs in sorted order).</summary>
public sealed record SubnetCidrPair(int Index, string PublicCidr, string PrivateCidr);

/// <summary>The network of a cluster as found in (or created in) EC2. Lists are ordered by availability zone.</summary>
public sealed record ClusterNetwork(
    string ClusterName,
    string VpcId,
    string VpcCidr,
    IReadOnlyList<string> PublicSubnetIds,
    IReadOnlyList<string> PrivateSubnetIds,
    IReadOnlyList<string> AvailabilityZones,
    string? InternetGatewayId,
    IReadOnlyList<string> NatGatewayIds,
    IReadOnlyList<string> RouteTableIds);

/// <summary>Whether a planned step creates or changes something, or finds it already in place.</summary>
public enum PlannedActionKind
{
    Create,
    Modify,
    Exists,
}

/// <summary>One step of <see cref="NetworkBuilder.PlanAsync"/>: a human description such as
/// "Create public subnet 192.168.192.0/20 in us-east-1a", for -WhatIf previews.</summary>
/// <param name="ResourceType">vpc, internet-gateway, subnet, route-table, route, route-table-association, elastic-ip, natgateway.</param>
/// <param name="ResourceId">The id when the resource already exists, otherwise null.</param>
public sealed record PlannedAction(PlannedActionKind Kind, string ResourceType, string Description, string? ResourceId = null)
{
    public bool IsChange => Kind != PlannedActionKind.Exists;

    public override string ToString() => Description;
}

/// <summary>Result of <see cref="NetworkBuilder.CheckSubnetsAsync"/> for subnets a user brings.</summary>
public sealed record SubnetCheck(string VpcId, IReadOnlyList<string> SubnetIds, IReadOnlyList<string> AvailabilityZones);

/// <summary>Thrown by <see cref="NetworkPlanner.Validate"/>; <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class InvalidNetworkPlanException : ArgumentException
{
    public InvalidNetworkPlanException(IReadOnlyList<string> problems, string? paramName)
        : base(string.Join(Environment.NewLine, problems), paramName)
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>Thrown when what exists in EC2 does not fit the request (missing subnets, too few AZs, a VPC with
/// another CIDR already tagged for the cluster, a NAT gateway that failed). The message says what to do next.</summary>
public sealed class NetworkStateException : InvalidOperationException
{
    public NetworkStateException(string errorId, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Target = target;
    }

    /// <summary>Stable id for the cmdlet's ErrorRecord, e.g. "SubnetNotFound".</summary>
    public string ErrorId { get; }

    /// <summary>The resource the error is about (subnet id, VPC id, cluster name), if any.</summary>
    public string? Target { get; }
}

/// <summary>Knobs for waits; tests shorten the poll interval and replace the delay.</summary>
public sealed class NetworkBuilderOptions
{
    /// <summary>First wait between DescribeNatGateways polls; grows (the module's waiter backs off) up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for NAT gateways to become available or deleted before giving up.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a delete that EC2 refuses with DependencyViolation is retried (a deleted load balancer's or NAT
    /// gateway's network interfaces take minutes to go) before the error names what still blocks.</summary>
    public TimeSpan DependencyTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>The clock the NAT gateway wait sleeps on; tests pass one that does not really sleep.</summary>
    public EksModule.Engine.Waiting.IClock Clock { get; init; } = EksModule.Engine.Waiting.SystemClock.Instance;
}
