namespace EksEmulator.FrontDoor;

/// <summary>Forwards a request to moto_server unchanged (Authorization included, so moto picks the region) and relays its answer.</summary>
public sealed class MotoProxy(HttpClient moto)
{
    // Hop-by-hop headers describe one connection, not the message (RFC 9110 §7.6.1).
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <param name="observe">When given, moto's successful answer is buffered and handed to it before it is relayed.</param>
    public async Task ForwardAsync(HttpContext context, byte[] body, Action<byte[]>? observe = null)
    {
        var incoming = context.Request;
        var target = new Uri(moto.BaseAddress!, incoming.Path.Value!.TrimStart('/') + incoming.QueryString.Value);
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), target);
        if (body.Length > 0 || incoming.ContentLength is not null) outgoing.Content = new ByteArrayContent(body);

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (!outgoing.Headers.TryAddWithoutValidation(name, values.ToArray()))
                outgoing.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        using var answer = await moto.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (HopByHop.Contains(name)) continue;
            response.Headers[name] = values.ToArray();
        }

        if (observe is null)
        {
            await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
            return;
        }

        var content = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted);
        if (answer.IsSuccessStatusCode) observe(content);
        await response.Body.WriteAsync(content, context.RequestAborted);
    }
}
