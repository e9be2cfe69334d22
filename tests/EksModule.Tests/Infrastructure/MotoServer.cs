using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EksModule.Tests.Infrastructure;

/// <summary>A moto_server on a free loopback port for one test class; stopped by process id.</summary>
public sealed class MotoServer : IDisposable
{
    public const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly Process _process;

    public MotoServer()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("moto_server", $"-H 127.0.0.1 -p {Port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitReady();
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    private void WaitReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}");
            try
            {
                http.GetAsync($"{Url}/moto-api/").GetAwaiter().GetResult();
                return;
            }
            catch (HttpRequestException) { Thread.Sleep(100); }
            catch (TaskCanceledException) { }
        }
        throw new TimeoutException("moto_server did not start within 60 s");
    }

    public void Reset()
    {
        using var http = new HttpClient();
        http.PostAsync($"{Url}/moto-api/reset", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
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
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
