using EksModule.Engine.NodeNetwork;

namespace EksModule.Types;

/// <summary>
/// One node's share of the VPC CNI: its ENIs, the pod IP addresses EC2 has assigned to them, how many pods use
/// them, and the max pods its instance type allows with and without prefix delegation.
/// </summary>
public sealed class EksNodeNetwork
{
    internal EksNodeNetwork(NodeNetworkInfo node, string region)
    {
        ClusterName = node.ClusterName;
        NodegroupName = node.NodegroupName;
        NodeName = node.NodeName;
        InstanceId = node.InstanceId;
        InstanceType = node.InstanceType;
        AvailabilityZone = node.AvailabilityZone;
        NetworkInterfaces = node.NetworkInterfaces.Select(e => new EksNodeNetworkInterface(e)).ToArray();
        NetworkInterfaceCount = node.NetworkInterfaces.Count(e => e.NetworkCardIndex == 0);
        MaxNetworkInterfaces = node.Limits?.MaxNetworkInterfaces;
        Ipv4AddressesPerInterface = node.Limits?.Ipv4AddressesPerInterface;
        Hypervisor = node.Limits?.Hypervisor;
        DefaultVCpus = node.Limits?.DefaultVCpus;
        PrefixDelegationSupported = node.Limits?.SupportsPrefixDelegation;
        PrefixDelegation = node.PrefixDelegation;
        PrefixDelegationConfigured = node.PrefixDelegationConfigured;
        AssignedPodIps = node.AssignedPodIps;
        PodsUsingIps = node.PodsUsingIps;
        FreePodIps = node.FreePodIps;
        MaxPodIps = node.MaxPodIps;
        MaxPods = node.MaxPods;
        MaxPodsWithoutPrefixDelegation = node.MaxPodsWithoutPrefixDelegation;
        MaxPodsWithPrefixDelegation = node.MaxPodsWithPrefixDelegation;
        Region = region;
    }

    public string ClusterName { get; }
    public string NodegroupName { get; }
    /// <summary>The EC2 private DNS name: the name EKS nodes register under in Kubernetes.</summary>
    public string? NodeName { get; }
    public string InstanceId { get; }
    public string? InstanceType { get; }
    public string? AvailabilityZone { get; }

    /// <summary>ENIs attached to the instance (every network card), in device order.</summary>
    public EksNodeNetworkInterface[] NetworkInterfaces { get; }
    /// <summary>ENIs attached on the default network card, the one the VPC CNI uses.</summary>
    public int NetworkInterfaceCount { get; }
    /// <summary>The most ENIs the instance type takes on its default network card (DescribeInstanceTypes).</summary>
    public int? MaxNetworkInterfaces { get; }
    /// <summary>IPv4 addresses (or, with prefix delegation, /28 prefixes) per ENI, the ENI's own address included.</summary>
    public int? Ipv4AddressesPerInterface { get; }
    public string? Hypervisor { get; }
    public int? DefaultVCpus { get; }
    /// <summary>Nitro or bare metal: the instance type can take /28 prefixes.</summary>
    public bool? PrefixDelegationSupported { get; }
    /// <summary>The node's ENIs hold /28 prefixes (or, before any address is assigned, the vpc-cni add-on asks for them).</summary>
    public bool PrefixDelegation { get; }
    /// <summary>ENABLE_PREFIX_DELEGATION in the vpc-cni add-on's configuration; empty when there is no add-on or it does not set it.</summary>
    public bool? PrefixDelegationConfigured { get; }

    /// <summary>Pod IP addresses EC2 has assigned to the node's ENIs: secondary IPs, plus 16 per /28 prefix.</summary>
    public int AssignedPodIps { get; }
    /// <summary>Pods on the node that need a VPC address (not host network, not finished); empty when Kubernetes could not be read.</summary>
    public int? PodsUsingIps { get; }
    /// <summary>Assigned minus used; empty when Kubernetes could not be read.</summary>
    public int? FreePodIps { get; }
    /// <summary>The most pod addresses the node's ENIs can hold in its current mode.</summary>
    public int? MaxPodIps { get; }
    /// <summary>The EKS-recommended max pods for the mode the node is in.</summary>
    public int? MaxPods { get; }
    /// <summary>ENIs × (IPv4 per ENI − 1) + 2, capped at 110 (250 above 30 vCPUs).</summary>
    public int? MaxPodsWithoutPrefixDelegation { get; }
    /// <summary>ENIs × (IPv4 per ENI − 1) × 16 + 2, capped likewise; empty when the instance type cannot take prefixes.</summary>
    public int? MaxPodsWithPrefixDelegation { get; }
    public string Region { get; }

    public override string ToString() => NodeName ?? InstanceId;
}

/// <summary>One ENI of a node and the addresses it carries.</summary>
public sealed class EksNodeNetworkInterface
{
    internal EksNodeNetworkInterface(NodeNetworkInterface eni)
    {
        NetworkInterfaceId = eni.NetworkInterfaceId;
        DeviceIndex = eni.DeviceIndex;
        NetworkCardIndex = eni.NetworkCardIndex;
        SubnetId = eni.SubnetId;
        PrimaryIpAddress = eni.PrimaryIpAddress;
        SecondaryIpAddresses = eni.SecondaryIpAddresses.ToArray();
        Ipv4Prefixes = eni.Ipv4Prefixes.ToArray();
        PodIpCount = eni.PodIpCount;
        ManagedByCni = eni.ManagedByCni;
        InterfaceType = eni.InterfaceType;
        Description = eni.Description;
    }

    public string NetworkInterfaceId { get; }
    public int DeviceIndex { get; }
    public int NetworkCardIndex { get; }
    public string? SubnetId { get; }
    public string? PrimaryIpAddress { get; }
    public string[] SecondaryIpAddresses { get; }
    public int SecondaryIpAddressCount => SecondaryIpAddresses.Length;
    public string[] Ipv4Prefixes { get; }
    /// <summary>Pod addresses on this ENI: secondary IPs plus 16 per prefix; 0 when the VPC CNI leaves the ENI alone.</summary>
    public int PodIpCount { get; }
    /// <summary>False for ENIs tagged node.k8s.amazonaws.com/no_manage=true and for trunk or EFA-only ENIs.</summary>
    public bool ManagedByCni { get; }
    public string? InterfaceType { get; }
    public string? Description { get; }

    public override string ToString()
    {
        var parts = $"{NetworkInterfaceId} (device {DeviceIndex}, {SubnetId}) {PrimaryIpAddress}";
        if (SecondaryIpAddresses.Length > 0) parts += $" +{SecondaryIpAddresses.Length} secondary";
        if (Ipv4Prefixes.Length > 0) parts += $" +{Ipv4Prefixes.Length} prefix(es) {string.Join(",", Ipv4Prefixes)}";
        if (!ManagedByCni) parts += " (not managed by the VPC CNI)";
        return parts;
    }
}
