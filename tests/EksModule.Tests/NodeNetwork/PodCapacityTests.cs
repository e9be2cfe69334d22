using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.NodeNetwork;

namespace EksModule.Tests.NodeNetwork;

/// <summary>
/// Max pods against EKS's published numbers: eni-max-pods.txt (the ENI limit) and max-pods-calculator.sh (capped at 110,
/// or 250 above 30 vCPUs; the EKS user guide quotes m5.large at 29, 110 with prefix delegation, 20 with custom networking).
/// Limits are DescribeInstanceTypes' values for each type (default network card).
/// </summary>
public sealed class PodCapacityTests
{
    private static InstanceTypeNetworkLimits Type(string name, int enis, int ips, int vcpus, string? hypervisor = "nitro", bool metal = false)
        => new(name, enis, ips, vcpus, hypervisor, metal);

    public static TheoryData<string, int, int, int, string?, int, int, int?> Published => new()
    {
        // type, ENIs, IPv4 per ENI, vCPUs, hypervisor, eni-max-pods.txt, calculator, calculator with prefix delegation
        { "m5.large", 3, 10, 2, "nitro", 29, 29, 110 },
        { "t3.medium", 3, 6, 2, "nitro", 17, 17, 110 },
        { "t3.small", 3, 4, 2, "nitro", 11, 11, 110 },
        { "m5.2xlarge", 4, 15, 8, "nitro", 58, 58, 110 },
        { "c5.4xlarge", 8, 30, 16, "nitro", 234, 110, 110 },
        { "m5.24xlarge", 15, 50, 96, "nitro", 737, 250, 250 },
        { "p5.48xlarge", 2, 50, 192, "nitro", 100, 100, 250 },
        { "c4.large", 3, 10, 2, "xen", 29, 29, null },
        { "t2.medium", 3, 6, 2, "xen", 17, 17, null },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Matches_the_published_values(string name, int enis, int ips, int vcpus, string? hypervisor, int eniMaxPods, int recommended, int? recommendedWithPrefixes)
    {
        var limits = Type(name, enis, ips, vcpus, hypervisor);
        Assert.Equal(eniMaxPods, PodCapacity.EniLimit(limits, CniCapacitySettings.Default, prefixDelegation: false));
        Assert.Equal(recommended, PodCapacity.RecommendedMaxPods(limits, CniCapacitySettings.Default, prefixDelegation: false));
        Assert.Equal(recommendedWithPrefixes, PodCapacity.RecommendedMaxPods(limits, CniCapacitySettings.Default, prefixDelegation: true));
    }

    [Fact]
    public void Prefix_delegation_multiplies_the_slots_by_16_before_the_ceiling()
    {
        var m5Large = Type("m5.large", 3, 10, 2);
        Assert.Equal(3 * 9 * 16, PodCapacity.MaxPodIps(m5Large, CniCapacitySettings.Default, prefixDelegation: true));
        Assert.Equal(3 * 9 * 16 + 2, PodCapacity.EniLimit(m5Large, CniCapacitySettings.Default, prefixDelegation: true));
        Assert.Equal(27, PodCapacity.MaxPodIps(m5Large, CniCapacitySettings.Default, prefixDelegation: false));
    }

    [Theory]
    [InlineData(2, 110)]
    [InlineData(30, 110)]
    [InlineData(31, 250)]
    [InlineData(96, 250)]
    public void Ceiling_is_110_up_to_30_vcpus_and_250_above(int vcpus, int ceiling) => Assert.Equal(ceiling, PodCapacity.Ceiling(vcpus));

    [Fact]
    public void Custom_networking_leaves_the_primary_eni_out_as_the_user_guide_says()
    {
        var m5Large = Type("m5.large", 3, 10, 2);
        Assert.Equal(20, PodCapacity.RecommendedMaxPods(m5Large, new CniCapacitySettings(CustomNetworking: true), prefixDelegation: false));
    }

    [Fact]
    public void Max_eni_limits_the_enis_counted()
    {
        var m5Large = Type("m5.large", 3, 10, 2);
        Assert.Equal(11, PodCapacity.RecommendedMaxPods(m5Large, new CniCapacitySettings(MaxEni: 1), prefixDelegation: false));
        Assert.Equal(29, PodCapacity.RecommendedMaxPods(m5Large, new CniCapacitySettings(MaxEni: 8), prefixDelegation: false));
    }

    [Fact]
    public void Bare_metal_takes_prefixes_without_the_nitro_hypervisor()
    {
        var metal = Type("m5.metal", 15, 50, 96, hypervisor: null, metal: true);
        Assert.True(metal.SupportsPrefixDelegation);
        Assert.Equal(250, PodCapacity.RecommendedMaxPods(metal, CniCapacitySettings.Default, prefixDelegation: true));
        Assert.False(Type("c4.large", 3, 10, 2, "xen").SupportsPrefixDelegation);
    }

    [Fact]
    public void Limits_come_from_the_default_network_card_of_multi_card_types()
    {
        var info = new InstanceTypeInfo
        {
            InstanceType = InstanceType.FindValue("p5.48xlarge"),
            Hypervisor = InstanceTypeHypervisor.Nitro,
            BareMetal = false,
            VCpuInfo = new VCpuInfo { DefaultVCpus = 192 },
            NetworkInfo = new NetworkInfo
            {
                MaximumNetworkInterfaces = 64,
                Ipv4AddressesPerInterface = 50,
                DefaultNetworkCardIndex = 0,
                NetworkCards = Enumerable.Range(0, 32).Select(i => new NetworkCardInfo { NetworkCardIndex = i, MaximumNetworkInterfaces = 2 }).ToList(),
            },
        };
        var limits = InstanceTypeNetworkLimits.From(info);
        Assert.Equal(2, limits.MaxNetworkInterfaces);
        Assert.Equal(50, limits.Ipv4AddressesPerInterface);
        Assert.Equal(192, limits.DefaultVCpus);
        Assert.Equal(100, PodCapacity.EniLimit(limits, CniCapacitySettings.Default, prefixDelegation: false));
    }

    [Fact]
    public void Limits_fall_back_to_the_instance_total_without_network_cards()
    {
        var info = new InstanceTypeInfo
        {
            InstanceType = InstanceType.FindValue("t3.medium"),
            Hypervisor = InstanceTypeHypervisor.Nitro,
            VCpuInfo = new VCpuInfo { DefaultVCpus = 2 },
            NetworkInfo = new NetworkInfo { MaximumNetworkInterfaces = 3, Ipv4AddressesPerInterface = 6 },
        };
        var limits = InstanceTypeNetworkLimits.From(info);
        Assert.Equal(3, limits.MaxNetworkInterfaces);
        Assert.True(limits.SupportsPrefixDelegation);
        Assert.Equal(17, PodCapacity.RecommendedMaxPods(limits, CniCapacitySettings.Default, prefixDelegation: false));
    }
}
