using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EksModule.Tests.Infrastructure;

/// <summary>One request exactly as it arrived on the wire.</summary>
public sealed record RecordedRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(",", values);
    }

    public string BodyText => Encoding.UTF8.GetString(Body);
    public string Path => Target.Split('?')[0];
}

/// <summary>
/// A loopback HTTP/1.1 server that records every request byte for byte (a raw socket, so nothing
/// is normalised away) and answers with a plausible success body for the protocol, so the SDK
/// parses it and does not retry.
/// </summary>
public sealed class RequestRecorder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedRequest> _requests = new();
    private readonly Task _acceptLoop;

    public RequestRecorder()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>When set, the first ListClusters page answers with this nextToken, so the client asks for a second page.</summary>
    public string? ListClustersNextToken { get; set; }
    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    public void Clear()
    {
        lock (_requests) _requests.Clear();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (!_stop.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(stream).ConfigureAwait(false);
                    if (request is null) return;
                    lock (_requests) _requests.Add(request);
                    var (status, contentType, body) = Answer(request);
                    var payload = Encoding.UTF8.GetBytes(body);
                    var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\n" +
                               $"Content-Type: {contentType}\r\nContent-Length: {payload.Length}\r\n" +
                               $"x-amzn-RequestId: {Guid.NewGuid()}\r\nDate: {DateTime.UtcNow:R}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token).ConfigureAwait(false);
                    await stream.WriteAsync(payload, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception) { /* client went away */ }
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0) return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        var length = headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h.Value)).FirstOrDefault();
        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            throw new NotSupportedException("chunked requests are not expected from the SDK");
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read)).ConfigureAwait(false);
            if (n == 0) return null;
            read += n;
        }
        return new RecordedRequest(requestLine[0], requestLine[1], headers, body);
    }

    private (int Status, string ContentType, string Body) Answer(RecordedRequest request)
    {
        const string json = "application/json";
        const string xml = "text/xml";
        if (request.Path.StartsWith("/clusters", StringComparison.Ordinal))
        {
            if (request.Method == "GET" && request.Path == "/clusters")
            {
                if (ListClustersNextToken is { } token && !request.Target.Contains("nextToken=", StringComparison.Ordinal))
                    return (200, json, System.Text.Json.JsonSerializer.Serialize(new { clusters = new[] { "first" }, nextToken = token }));
                return (200, json, """{"clusters":[]}""");
            }
            var name = request.Method == "POST"
                ? System.Text.Json.JsonDocument.Parse(request.BodyText).RootElement.GetProperty("name").GetString()
                : Uri.UnescapeDataString(request.Path["/clusters/".Length..]);
            var status = request.Method switch { "POST" => "CREATING", "DELETE" => "DELETING", _ => "ACTIVE" };
            return (200, json, $$"""
                {"cluster":{"name":"{{name}}","arn":"arn:aws:eks:us-east-1:123456789012:cluster/{{name}}",
                 "status":"{{status}}","version":"1.32","roleArn":"arn:aws:iam::123456789012:role/eks",
                 "resourcesVpcConfig":{"subnetIds":[],"securityGroupIds":[],"endpointPublicAccess":true,"endpointPrivateAccess":false,"publicAccessCidrs":[]},
                 "tags":{} } }
                """);
        }
        var action = request.Method == "POST" ? FormValue(request.BodyText, "Action") : null;
        return action switch
        {
            "GetRole" => (200, xml, """
                <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>
                <Path>/</Path><RoleName>eks-role</RoleName><RoleId>AROAEXAMPLE</RoleId>
                <Arn>arn:aws:iam::123456789012:role/eks-role</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>
                <AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult>
                <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>
                """),
            "DescribeVpcs" => (200, xml, """
                <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><vpcSet/></DescribeVpcsResponse>
                """),
            "AssumeRole" => (200, xml, $"""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                <Credentials><AccessKeyId>ASIAASSUMEDEXAMPLE</AccessKeyId><SecretAccessKey>assumedSecretExample</SecretAccessKey>
                <SessionToken>assumedTokenExample</SessionToken><Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration></Credentials>
                <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>
                </AssumeRoleResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></AssumeRoleResponse>
                """),
            _ => (400, xml, "<ErrorResponse><Error><Code>InvalidAction</Code><Message>the recorder does not know this request</Message></Error></ErrorResponse>"),
        };
    }

    public static string? FormValue(string form, string name)
        => form.Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == name)
            .Select(p => Uri.UnescapeDataString(p[1].Replace('+', ' '))).FirstOrDefault();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _acceptLoop.Wait(2000); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
