using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.EC2;
using Amazon.Runtime;

namespace EksModule.Tests.Network;

/// <summary>One moto_server per test class on a free loopback port; killed by its process id on dispose.</summary>
public sealed class MotoServerFixture : IDisposable
{
    public const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Process _process;

    public MotoServerFixture()
    {
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}";
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", Port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true";
        // The network tests need no AMIs; loading moto's default set costs seconds on the first EC2 call.
        start.Environment["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false";
        _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = Http.GetAsync(Url + "/moto-api/").GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Dispose();
                throw new InvalidOperationException($"moto_server did not answer on {Url}");
            }

            Thread.Sleep(100);
        }
    }

    public int Port { get; }

    public string Url { get; }

    public void Reset() => Http.PostAsync(Url + "/moto-api/reset", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();

    /// <summary>An EC2 client on moto; <paramref name="operations"/> receives the name of every request sent.</summary>
    public AmazonEC2Client CreateEc2Client(ConcurrentQueue<string>? operations = null)
    {
        var client = new AmazonEC2Client(
            new BasicAWSCredentials(AccessKey, SecretKey),
            new AmazonEC2Config { ServiceURL = Url, AuthenticationRegion = "us-east-1" });
        if (operations is not null)
        {
            client.BeforeRequestEvent += (_, args) =>
            {
                if (args is WebServiceRequestEventArgs request)
                {
                    operations.Enqueue(request.Request.GetType().Name.Replace("Request", string.Empty, StringComparison.Ordinal));
                }
            };
        }

        return client;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
