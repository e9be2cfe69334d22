using System.Net;
using System.Security.Cryptography.X509Certificates;
using EksEmulator.Eks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace EksEmulator.Kube;

/// <summary>
/// Starts one TLS kube-apiserver per emulated cluster, each a small Kestrel host of its own on a free loopback port:
/// Kestrel cannot add listeners to a running host, and a host per cluster keeps each cluster's certificate and
/// lifetime separate (stopped when the cluster is gone).
/// </summary>
public sealed class KubeApiHost(KubeApiHandler handler, ILogger<KubeApiHost> logger)
{
    public async Task<KubeApiServer> StartAsync(ClusterState cluster, DateTimeOffset now, CancellationToken cancel)
    {
        var certificate = cluster.CertificateAuthority.IssueServingCertificate(now);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var region = cluster.Region;
        var name = cluster.Name;
        app.Run(context => handler.HandleAsync(context, region, name));
        await app.StartAsync(cancel);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        logger.LogDebug("kube-apiserver for {Cluster} listens on {Port}", name, port);
        return new KubeApiServer(app, certificate, port);
    }
}

/// <summary>A running per-cluster kube-apiserver; disposing stops it and forgets its serving certificate.</summary>
public sealed class KubeApiServer(WebApplication app, X509Certificate2 certificate, int port) : IAsyncDisposable
{
    public int Port { get; } = port;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await app.StopAsync(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await app.DisposeAsync();
            certificate.Dispose();
        }
    }
}
