using System.Text.RegularExpressions;

namespace EksModule.Engine.Network;

/// <summary>
/// Pure checks and arithmetic for a cluster network; no AWS call.
/// </summary>
/// <remarks>
/// <para><b>Validation</b> collects every problem and throws one <see cref="InvalidNetworkPlanException"/>
/// (an <see cref="ArgumentException"/>) whose <c>Problems</c> list them; <see cref="GetProblems"/> returns the
/// same list without throwing, for callers that want to report them one by one.</para>
/// <para><b>Subnet layout</b> (<see cref="CarveSubnets"/>): pods take their IPs from the private subnets through
/// the VPC CNI, so each private subnet is larger than its public sibling (4× where it fits, else 2×).
/// The private size is the largest power of two such that azCount private blocks plus azCount public
/// blocks fit in the VPC. Private blocks are laid out from the start of the VPC, public blocks follow them;
/// the rest of the VPC stays free for later use. For 192.168.0.0/16 and 3 AZs: private
/// 192.168.0.0/18, 192.168.64.0/18, 192.168.128.0/18; public 192.168.192.0/20, 192.168.208.0/20,
/// 192.168.224.0/20. For 4–6 AZs in a /16: private /19s, public /21s.
/// AWS subnets are /16 to /28, so the VPC must be at least /16 and no public subnet may be smaller
/// than /28: a /24 fits 2–5 AZs, 6 AZs need a /23 or larger.</para>
/// </remarks>
public static partial class NetworkPlanner
{
    public const int MinimumVpcPrefix = 16;
    public const int MaximumVpcPrefix = 24;
    public const int MinimumAvailabilityZones = 2;
    public const int MaximumAvailabilityZones = 6;
    public const int MaximumClusterNameLength = 100;

    /// <summary>AWS refuses subnets smaller than /28.</summary>
    internal const int SmallestSubnetPrefix = 28;

    /// <summary>Tags the module puts on every resource itself; user tags must not collide with them.</summary>
    private const int ReservedTagCount = 6;

    [GeneratedRegex("^[0-9A-Za-z][A-Za-z0-9\\-_]*$")]
    private static partial Regex ClusterNamePattern();

    /// <summary>Throws <see cref="InvalidNetworkPlanException"/> listing every problem with the plan.</summary>
    public static void Validate(NetworkPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = GetProblems(plan, out var firstParam);
        if (problems.Count > 0)
        {
            throw new InvalidNetworkPlanException(problems, firstParam);
        }
    }

    /// <summary>Every problem with the plan, as messages that say what to change; empty when it is valid.</summary>
    public static IReadOnlyList<string> GetProblems(NetworkPlan plan) => GetProblems(plan, out _);

    private static List<string> GetProblems(NetworkPlan plan, out string? firstParam)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>();
        string? first = null;

        void Add(string param, string message)
        {
            first ??= param;
            problems.Add(message);
        }

        if (ValidateClusterName(plan.ClusterName) is { } nameProblem)
        {
            Add(nameof(NetworkPlan.ClusterName), nameProblem);
        }

        var azCountValid = plan.AvailabilityZoneCount is >= MinimumAvailabilityZones and <= MaximumAvailabilityZones;
        if (!azCountValid)
        {
            Add(nameof(NetworkPlan.AvailabilityZoneCount),
                $"The availability zone count {plan.AvailabilityZoneCount} is out of range: EKS needs subnets in at least {MinimumAvailabilityZones} AZs, and this module spreads over at most {MaximumAvailabilityZones}.");
        }

        if (!Ipv4Cidr.TryParse(plan.VpcCidr, out var cidr, out var cidrError))
        {
            Add(nameof(NetworkPlan.VpcCidr), cidrError);
        }
        else if (cidr.Prefix is < MinimumVpcPrefix or > MaximumVpcPrefix)
        {
            Add(nameof(NetworkPlan.VpcCidr),
                $"The VPC CIDR {plan.VpcCidr} has prefix /{cidr.Prefix}; use a prefix from /{MinimumVpcPrefix} (the largest VPC AWS allows) to /{MaximumVpcPrefix} (the smallest that leaves room for a public and a private subnet per AZ).");
        }
        else if (azCountValid && TryComputeSizes(cidr, plan.AvailabilityZoneCount) is null)
        {
            Add(nameof(NetworkPlan.VpcCidr),
                $"The VPC CIDR {plan.VpcCidr} is too small for {plan.AvailabilityZoneCount} AZs: each AZ needs a private subnet larger than its public one, and no subnet may be smaller than /{SmallestSubnetPrefix}. Use a larger block (smaller prefix) or fewer AZs.");
        }

        if (plan.Tags is null)
        {
            Add(nameof(NetworkPlan.Tags), "Tags must not be null; pass an empty dictionary for no extra tags.");
        }
        else
        {
            if (plan.Tags.Count > 50 - ReservedTagCount)
            {
                Add(nameof(NetworkPlan.Tags), $"{plan.Tags.Count} tags is too many: AWS allows 50 per resource and the module uses {ReservedTagCount}; give at most {50 - ReservedTagCount}.");
            }

            foreach (var (key, value) in plan.Tags)
            {
                if (string.IsNullOrEmpty(key) || key.Length > 128)
                {
                    Add(nameof(NetworkPlan.Tags), $"Tag key '{key}' must be 1 to 128 characters long.");
                }
                else if (NetworkTags.IsReserved(key))
                {
                    Add(nameof(NetworkPlan.Tags), $"Tag key '{key}' is reserved: the module sets Name, eksmodule:*, kubernetes.io/cluster/* and kubernetes.io/role/* itself, and AWS reserves aws:*. Choose another key.");
                }

                if (value is null || value.Length > 256)
                {
                    Add(nameof(NetworkPlan.Tags), $"The value of tag '{key}' must be 0 to 256 characters long.");
                }
            }
        }

        firstParam = first;
        return problems;
    }

    /// <summary>The EKS cluster name rule: 1–100 characters, a letter or digit first, then letters, digits, '-' and '_'.
    /// Returns the problem, or null when the name is valid.</summary>
    public static string? ValidateClusterName(string? clusterName)
    {
        if (string.IsNullOrEmpty(clusterName))
        {
            return "The cluster name is empty; give 1 to 100 letters, digits, hyphens or underscores, starting with a letter or digit.";
        }

        if (clusterName.Length > MaximumClusterNameLength)
        {
            return $"The cluster name is {clusterName.Length} characters long; EKS allows at most {MaximumClusterNameLength}.";
        }

        if (!ClusterNamePattern().IsMatch(clusterName))
        {
            return $"The cluster name '{clusterName}' is not valid for EKS: it must start with a letter or digit and contain only letters, digits, hyphens (-) and underscores (_).";
        }

        return null;
    }

    /// <summary>
    /// One public and one private subnet CIDR per AZ, all inside <paramref name="vpcCidr"/>, none overlapping,
    /// each private subnet larger than the public ones. See the class remarks for the layout.
    /// </summary>
    /// <exception cref="ArgumentException">The CIDR does not parse, or the VPC cannot hold that many AZs.</exception>
    public static IReadOnlyList<SubnetCidrPair> CarveSubnets(string vpcCidr, int availabilityZoneCount)
    {
        if (!Ipv4Cidr.TryParse(vpcCidr, out var vpc, out var error))
        {
            throw new ArgumentException(error, nameof(vpcCidr));
        }

        if (availabilityZoneCount is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(availabilityZoneCount), availabilityZoneCount, "The availability zone count must be positive.");
        }

        var sizes = TryComputeSizes(vpc, availabilityZoneCount)
            ?? throw new ArgumentException(
                $"The VPC CIDR {vpcCidr} is too small for {availabilityZoneCount} AZs (no subnet may be smaller than /{SmallestSubnetPrefix}).",
                nameof(vpcCidr));

        var (privatePrefix, publicPrefix) = sizes;
        var privateSize = 1U << (32 - privatePrefix);
        var publicSize = 1U << (32 - publicPrefix);
        var publicStart = vpc.Network + ((uint)availabilityZoneCount * privateSize);

        var pairs = new SubnetCidrPair[availabilityZoneCount];
        for (var i = 0; i < availabilityZoneCount; i++)
        {
            var privateBlock = new Ipv4Cidr(vpc.Network + ((uint)i * privateSize), privatePrefix);
            var publicBlock = new Ipv4Cidr(publicStart + ((uint)i * publicSize), publicPrefix);
            pairs[i] = new SubnetCidrPair(i, publicBlock.ToString(), privateBlock.ToString());
        }

        return pairs;
    }

    /// <summary>Private and public prefix lengths, or null when the VPC is too small.</summary>
    private static (int PrivatePrefix, int PublicPrefix)? TryComputeSizes(Ipv4Cidr vpc, int azCount)
    {
        // Private 4× public where the public subnet stays /28 or larger, else 2×.
        foreach (var ratioBits in new[] { 2, 1 })
        {
            // n private blocks of S and n public blocks of S/2^r need n*(1 + 2^-r)*S <= VPC size.
            var units = (ulong)azCount * ((1UL << ratioBits) + 1); // in public-sized blocks
            var unitsBits = 0;
            while ((1UL << unitsBits) < units)
            {
                unitsBits++;
            }

            var publicPrefix = vpc.Prefix + unitsBits;
            var privatePrefix = publicPrefix - ratioBits;
            if (publicPrefix <= SmallestSubnetPrefix && privatePrefix >= vpc.Prefix)
            {
                return (privatePrefix, publicPrefix);
            }
        }

        return null;
    }
}
