using EksModule.Engine.Auth;
using EksModule.Engine.Eks;
using EksModule.Engine.Kubernetes;

namespace EksModule.Tests.Auth;

public sealed class KubernetesAccessTests
{
    [Fact]
    public async Task Token_provider_reuses_a_token_and_mints_again_a_minute_before_expiry()
    {
        var now = new DateTime(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc);
        var mints = 0;
        var provider = new EksTokenProvider(_ =>
        {
            mints++;
            return Task.FromResult(new MintedToken($"k8s-aws-v1.t{mints}", now + EksTokenMinter.ClientLifetime, "c", "us-east-1"));
        }, () => now);
        var start = now;
        Assert.Equal("Bearer k8s-aws-v1.t1", (await provider.GetAuthenticationHeaderAsync(default)).ToString());
        now = start.AddMinutes(12);
        Assert.Equal("k8s-aws-v1.t1", (await provider.GetAuthenticationHeaderAsync(default)).Parameter);
        now = start.AddMinutes(13);
        Assert.Equal("k8s-aws-v1.t2", (await provider.GetAuthenticationHeaderAsync(default)).Parameter);
        Assert.Equal(2, mints);
    }

    [Fact]
    public void Client_uses_the_cluster_endpoint_and_its_CA()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=kubernetes", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var cluster = new Cluster
        {
            Name = "demo",
            Endpoint = "https://ABC.gr7.us-east-1.eks.amazonaws.com",
            CertificateAuthority = new Certificate { Data = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ca.ExportCertificatePem())) },
        };
        var config = KubernetesAccess.Configuration(cluster, _ => throw new InvalidOperationException("not called"));
        Assert.Equal(cluster.Endpoint, config.Host);
        Assert.Equal(ca.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        Assert.IsType<EksTokenProvider>(config.TokenProvider);
    }

    [Fact]
    public void A_cluster_without_an_endpoint_is_refused()
        => Assert.Throws<EksModule.Engine.Errors.ModuleOperationException>(() =>
            KubernetesAccess.Configuration(new Cluster { Name = "x", Status = "CREATING" }, _ => throw new InvalidOperationException()));
}
