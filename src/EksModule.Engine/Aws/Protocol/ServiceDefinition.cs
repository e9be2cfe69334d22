namespace EksModule.Engine.Aws.Protocol;

/// <summary>The wire protocols the generic client speaks.</summary>
public enum AwsProtocol
{
    RestJson,   // EKS
    RestXml,    // Route 53
    Query,      // IAM, ELB, ELBv2, Auto Scaling
    Json,       // CloudTrail, CloudWatch Logs (awsJson1_1)
}

/// <summary>
/// What the generic client needs to know about one AWS service: its identity for configuration
/// (ServiceId drives AWS_ENDPOINT_URL_&lt;SERVICE_ID&gt; and the profile's services section),
/// its signing name, protocol and API version, and how its default endpoint is formed.
/// </summary>
public sealed record ServiceDefinition(
    string ServiceId,
    string SigningName,
    string EndpointPrefix,
    string ApiVersion,
    AwsProtocol Protocol,
    bool IsGlobal = false,
    string? JsonTargetPrefix = null,
    string JsonVersion = "1.1")
{
    public static readonly ServiceDefinition Eks = new("EKS", "eks", "eks", "2017-11-01", AwsProtocol.RestJson);
    public static readonly ServiceDefinition Iam = new("IAM", "iam", "iam", "2010-05-08", AwsProtocol.Query, IsGlobal: true);
    public static readonly ServiceDefinition Route53 = new("Route 53", "route53", "route53", "2013-04-01", AwsProtocol.RestXml, IsGlobal: true);
    public static readonly ServiceDefinition ElasticLoadBalancingV2 = new("Elastic Load Balancing v2", "elasticloadbalancing", "elasticloadbalancing", "2015-12-01", AwsProtocol.Query);
    public static readonly ServiceDefinition ElasticLoadBalancing = new("Elastic Load Balancing", "elasticloadbalancing", "elasticloadbalancing", "2012-06-01", AwsProtocol.Query);
    public static readonly ServiceDefinition AutoScaling = new("Auto Scaling", "autoscaling", "autoscaling", "2011-01-01", AwsProtocol.Query);
    public static readonly ServiceDefinition CloudTrail = new("CloudTrail", "cloudtrail", "cloudtrail", "2013-11-01", AwsProtocol.Json, JsonTargetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101");
    public static readonly ServiceDefinition CloudWatchLogs = new("CloudWatch Logs", "logs", "logs", "2014-03-28", AwsProtocol.Json, JsonTargetPrefix: "Logs_20140328");
}
