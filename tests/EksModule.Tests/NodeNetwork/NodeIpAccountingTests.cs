using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.NodeNetwork;
using k8s.Models;

namespace EksModule.Tests.NodeNetwork;

/// <summary>
/// How a node's pod addresses are counted from its ENIs (as DescribeNetworkInterfaces returns them) and its pods (as the
/// Kubernetes API lists them). Prefix delegation is covered here only: moto 5.2.1 cannot assign /28 prefixes, so no
/// emulated node ever has one.
/// </summary>
public sealed class NodeIpAccountingTests
{
    private static readonly InstanceTypeNetworkLimits M5Large = new("m5.large", 3, 10, 2, "nitro", false);
    private static readonly InstanceTypeNetworkLimits C4Large = new("c4.large", 3, 10, 2, "xen", false);

    private static NetworkInterface Eni(string id, int device, int secondary, int prefixes = 0, string type = "interface", params Tag[] tags)
    {
        var addresses = new List<NetworkInterfacePrivateIpAddress> { new() { Primary = true, PrivateIpAddress = $"10.0.{device}.10" } };
        addresses.AddRange(Enumerable.Range(0, secondary).Select(i => new NetworkInterfacePrivateIpAddress { Primary = false, PrivateIpAddress = $"10.0.{device}.{20 + i}" }));
        return new NetworkInterface
        {
            NetworkInterfaceId = id,
            SubnetId = "subnet-1",
            PrivateIpAddress = $"10.0.{device}.10",
            PrivateIpAddresses = addresses,
            Ipv4Prefixes = prefixes == 0 ? null : Enumerable.Range(0, prefixes).Select(i => new Ipv4PrefixSpecification { Ipv4Prefix = $"10.0.{device}.{16 * (i + 4)}/28" }).ToList(),
            InterfaceType = new NetworkInterfaceType(type),
            TagSet = tags.ToList(),
            Attachment = new NetworkInterfaceAttachment { DeviceIndex = device, NetworkCardIndex = 0, InstanceId = "i-0123456789abcdef0" },
        };
    }

    private static NodeNetworkInfo Node(InstanceTypeNetworkLimits limits, IEnumerable<NetworkInterface> enis, int? pods, bool? configured = null) =>
        new("c", "ng", "i-0123456789abcdef0", "ip-10-0-0-10.ec2.internal", limits.InstanceType, "us-east-1a", limits,
            enis.Select(NodeNetworkInterface.From).ToList(), CniCapacitySettings.Default, configured, pods);

    [Fact]
    public void Secondary_addresses_are_pod_addresses_and_the_primary_is_not()
    {
        var eni = NodeNetworkInterface.From(Eni("eni-1", 0, secondary: 9));
        Assert.Equal("10.0.0.10", eni.PrimaryIpAddress);
        Assert.Equal(9, eni.SecondaryIpAddresses.Count);
        Assert.DoesNotContain("10.0.0.10", eni.SecondaryIpAddresses);
        Assert.Equal(9, eni.PodIpCount);
    }

    [Fact]
    public void A_prefix_counts_16_addresses()
    {
        var eni = NodeNetworkInterface.From(Eni("eni-1", 0, secondary: 0, prefixes: 2));
        Assert.Equal(new[] { "10.0.0.64/28", "10.0.0.80/28" }, eni.Ipv4Prefixes);
        Assert.Equal(32, eni.PodIpCount);
    }

    [Fact]
    public void Enis_the_cni_does_not_manage_hold_no_pod_addresses()
    {
        Assert.Equal(0, NodeNetworkInterface.From(Eni("eni-1", 1, 5, tags: new Tag("node.k8s.amazonaws.com/no_manage", "true"))).PodIpCount);
        Assert.Equal(0, NodeNetworkInterface.From(Eni("eni-2", 2, 5, type: "trunk")).PodIpCount);
        Assert.Equal(5, NodeNetworkInterface.From(Eni("eni-3", 1, 5, type: "efa")).PodIpCount);
        Assert.Equal(5, NodeNetworkInterface.From(Eni("eni-4", 1, 5, tags: new Tag("node.k8s.amazonaws.com/no_manage", "false"))).PodIpCount);
    }

    [Fact]
    public void Assigned_used_and_free_add_up_over_all_enis()
    {
        var node = Node(M5Large, [Eni("eni-1", 0, 9), Eni("eni-2", 1, 9)], pods: 12);
        Assert.Equal(18, node.AssignedPodIps);
        Assert.Equal(12, node.PodsUsingIps);
        Assert.Equal(6, node.FreePodIps);
        Assert.False(node.PrefixDelegation);
        Assert.Equal(27, node.MaxPodIps);
        Assert.Equal(29, node.MaxPods);
        Assert.Equal(29, node.MaxPodsWithoutPrefixDelegation);
        Assert.Equal(110, node.MaxPodsWithPrefixDelegation);
    }

    [Fact]
    public void Free_is_never_negative_and_unknown_when_pods_could_not_be_counted()
    {
        Assert.Equal(0, Node(M5Large, [Eni("eni-1", 0, 2)], pods: 5).FreePodIps);
        var unknown = Node(M5Large, [Eni("eni-1", 0, 9)], pods: null);
        Assert.Null(unknown.PodsUsingIps);
        Assert.Null(unknown.FreePodIps);
        Assert.Equal(9, unknown.AssignedPodIps);
    }

    [Fact]
    public void A_node_with_prefixes_is_in_prefix_mode_and_gets_the_prefix_max_pods()
    {
        var node = Node(M5Large, [Eni("eni-1", 0, 0, prefixes: 1)], pods: 3, configured: false);
        Assert.True(node.PrefixDelegation);
        Assert.Equal(16, node.AssignedPodIps);
        Assert.Equal(13, node.FreePodIps);
        Assert.Equal(110, node.MaxPods);
        Assert.Equal(3 * 9 * 16, node.MaxPodIps);
    }

    [Fact]
    public void Secondary_addresses_outweigh_the_configuration_and_the_configuration_decides_an_empty_node()
    {
        Assert.False(Node(M5Large, [Eni("eni-1", 0, 9)], pods: 0, configured: true).PrefixDelegation);
        var fresh = Node(M5Large, [Eni("eni-1", 0, 0)], pods: 0, configured: true);
        Assert.True(fresh.PrefixDelegation);
        Assert.Equal(110, fresh.MaxPods);
        // Not a Nitro type: ipamd falls back to secondary addresses, and so does max pods.
        var xen = Node(C4Large, [Eni("eni-1", 0, 0)], pods: 0, configured: true);
        Assert.False(xen.PrefixDelegation);
        Assert.Equal(29, xen.MaxPods);
        Assert.Null(xen.MaxPodsWithPrefixDelegation);
    }

    [Fact]
    public void Without_instance_type_limits_the_capacity_is_unknown_but_the_addresses_are_counted()
    {
        var node = new NodeNetworkInfo("c", "ng", "i-1", "n", "x9.huge", "az", null, [NodeNetworkInterface.From(Eni("eni-1", 0, 4))],
            CniCapacitySettings.Default, null, 1);
        Assert.Null(node.MaxPods);
        Assert.Null(node.MaxPodIps);
        Assert.Equal(4, node.AssignedPodIps);
        Assert.Equal(3, node.FreePodIps);
    }

    private static V1Pod Pod(string? node, bool hostNetwork = false, string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta { Name = Guid.NewGuid().ToString("N") },
        Spec = new V1PodSpec { NodeName = node, HostNetwork = hostNetwork, Containers = [new V1Container { Name = "c" }] },
        Status = new V1PodStatus { Phase = phase },
    };

    [Fact]
    public void Pods_using_addresses_are_scheduled_not_host_network_and_not_finished()
    {
        var counts = NodeIpAccounting.CountPodsUsingIps(
        [
            Pod("a"), Pod("a"), Pod("a", phase: "Pending"),
            Pod("a", hostNetwork: true), Pod("a", phase: "Succeeded"), Pod("a", phase: "Failed"),
            Pod("b"), Pod(null),
        ]);
        Assert.Equal(3, counts["a"]);
        Assert.Equal(1, counts["b"]);
        Assert.Equal(2, counts.Count);
    }

    [Fact]
    public void The_vpc_cni_configuration_is_read_from_json_or_yaml()
    {
        var json = VpcCniConfiguration.Environment("""{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1","MAX_ENI":"2"}}""");
        Assert.True(VpcCniConfiguration.PrefixDelegation(json));
        Assert.Equal(new CniCapacitySettings(PrefixDelegation: true, MaxEni: 2), VpcCniConfiguration.CapacitySettings(json));

        var yaml = VpcCniConfiguration.Environment("env:\n  ENABLE_PREFIX_DELEGATION: \"false\"\n  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: \"true\"\n");
        Assert.False(VpcCniConfiguration.PrefixDelegation(yaml));
        Assert.True(VpcCniConfiguration.CapacitySettings(yaml).CustomNetworking);

        Assert.Null(VpcCniConfiguration.PrefixDelegation(VpcCniConfiguration.Environment("""{"resources":{"requests":{"cpu":"25m"}}}""")));
        Assert.Empty(VpcCniConfiguration.Environment(null));
        Assert.Empty(VpcCniConfiguration.Environment("{not yaml: ["));
        Assert.Equal(CniCapacitySettings.Default, VpcCniConfiguration.CapacitySettings(VpcCniConfiguration.Environment("")));
    }
}
