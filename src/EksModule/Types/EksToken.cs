namespace EksModule.Types;

/// <summary>An EKS bearer token (aws-iam-authenticator format) and when clients should stop using it.</summary>
public sealed class EksToken
{
    internal EksToken(string token, DateTime expirationTimestamp, string clusterName, string region)
    {
        Token = token;
        ExpirationTimestamp = expirationTimestamp;
        ClusterName = clusterName;
        Region = region;
    }

    /// <summary>k8s-aws-v1.&lt;base64url presigned STS URL&gt;; send it as "Authorization: Bearer &lt;Token&gt;".</summary>
    public string Token { get; }

    /// <summary>UTC; 14 minutes after minting (STS honours the URL for 15).</summary>
    public DateTime ExpirationTimestamp { get; }

    /// <summary>The cluster name (or, for an Outposts local cluster, its id) the token is signed for.</summary>
    public string ClusterName { get; }

    public string Region { get; }

    public override string ToString() => Token;
}
