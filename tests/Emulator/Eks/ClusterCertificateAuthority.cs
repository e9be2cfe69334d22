using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EksEmulator.Eks;

/// <summary>A cluster's own self-signed Kubernetes CA (RSA 2048, CN=kubernetes, as EKS issues); keeps its key for signing serving certificates.</summary>
public sealed class ClusterCertificateAuthority : IDisposable
{
    private ClusterCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>certificateAuthority.data: the base64 of the PEM certificate.</summary>
    public string Data => Convert.ToBase64String(Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem() + "\n"));

    public static ClusterCertificateAuthority Create(DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubernetes", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new ClusterCertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10)));
    }

    public void Dispose() => Certificate.Dispose();
}
