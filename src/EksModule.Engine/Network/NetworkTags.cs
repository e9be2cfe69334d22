namespace EksModule.Engine.Network;

/// <summary>The tags that make a cluster's network findable again, and the ones the AWS load balancer controllers read.</summary>
public static class NetworkTags
{
    public const string ClusterName = "eksmodule:cluster-name";
    public const string Component = "eksmodule:component";

    /// <summary>On per-AZ resources (subnets, NAT gateways, per-AZ private route tables), so a rerun matches them by AZ.</summary>
    public const string AvailabilityZone = "eksmodule:availability-zone";

    public const string ElbRole = "kubernetes.io/role/elb";
    public const string InternalElbRole = "kubernetes.io/role/internal-elb";

    public static string KubernetesCluster(string clusterName) => "kubernetes.io/cluster/" + clusterName;

    /// <summary>The value of <see cref="KubernetesCluster"/> on what a cluster's controllers made for it alone; "shared"
    /// marks something the cluster may use but does not own.</summary>
    public const string Owned = "owned";

    /// <summary>Put by the AWS Load Balancer Controller on the security groups (and load balancers) it makes; the value is the cluster name.</summary>
    public const string LoadBalancerControllerCluster = "elbv2.k8s.aws/cluster";

    /// <summary>Put by the Amazon VPC CNI (ipamd) on the ENIs it makes for nodes; the value is the cluster name.</summary>
    public const string VpcCniCluster = "cluster.k8s.amazonaws.com/name";

    /// <summary>Values of <see cref="Component"/>.</summary>
    public static class Components
    {
        public const string Vpc = "vpc";
        public const string InternetGateway = "internet-gateway";
        public const string PublicSubnet = "public-subnet";
        public const string PrivateSubnet = "private-subnet";
        public const string PublicRouteTable = "public-route-table";
        public const string PrivateRouteTable = "private-route-table";
        public const string NatGateway = "nat-gateway";
        public const string ElasticIp = "nat-eip";
        public const string VpcEndpoint = "vpc-endpoint";
        public const string EndpointSecurityGroup = "endpoint-security-group";
    }

    internal static bool IsReserved(string key) =>
        key == "Name"
        || key.StartsWith("eksmodule:", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("kubernetes.io/cluster/", StringComparison.Ordinal)
        || key.StartsWith("kubernetes.io/role/", StringComparison.Ordinal);
}
