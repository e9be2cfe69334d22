using EksEmulator.CloudTrail;
using EksEmulator.Control;
using EksEmulator.Eks;
using EksEmulator.Iam;
using EksEmulator.Moto;

namespace EksEmulator.FrontDoor;

/// <summary>
/// One URL for every AWS service: EKS (by SigV4 credential scope) is answered here, everything else goes to moto.
/// Every AWS request is logged and may meet an injected fault before it is served. The EKS calls served here become
/// CloudTrail events, and CloudTrail's LookupEvents is answered from them (moto has no LookupEvents).
/// </summary>
public sealed class FrontDoorMiddleware(
    RequestDelegate next, RequestLog log, FaultInjector faults, MotoProxy proxy, AwsCredentialBook credentials, Ec2DependencyGuard dependencies,
    EksTrailRecorder trail, EventHistory history, ILogger<FrontDoorMiddleware> logger)
{
    public const string ControlPrefix = "/_emulator";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(ControlPrefix))
        {
            await next(context);
            return;
        }

        var (service, region) = AwsRequestClassifier.ReadCredentialScope(context.Request);
        if (service == "eks")
            await ServeEksAsync(context, region);
        else
            await ProxyAsync(context, service, region);
    }

    private async Task ServeEksAsync(HttpContext context, string region)
    {
        // Routing ran first: the matched endpoint names the operation (none for unknown paths and methods).
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EksOperation>()?.Name;
        var info = new AwsRequestInfo("eks", region, operation ?? AwsRequestClassifier.UnknownOperation, AwsProtocol.RestJson);
        if (!await AdmitAsync(context, info)) return;

        if (operation is null)
        {
            await AwsErrorWriter.WriteAsync(context, AwsProtocol.RestJson, 404, "UnknownOperationException",
                $"No EKS operation matches {context.Request.Method} {context.Request.Path}.");
            return;
        }

        // The answer is held back until the call is in the event history, so a lookup right after it finds it.
        var requestBody = await EksTrailRecorder.BufferRequestAsync(context);
        var caller = trail.ResolveCallerAsync(context);
        var client = context.Response.Body;
        using var answer = new MemoryStream();
        context.Response.Body = answer;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        try
        {
            await next(context);
        }
        catch (EksException e)
        {
            await AwsErrorWriter.WriteAsync(context, AwsProtocol.RestJson, e.StatusCode, e.ErrorType, e.Message, e.Members);
        }
        catch (MotoException e)
        {
            logger.LogWarning("{Operation} failed calling moto: {Message}", operation, e.Message);
            await AwsErrorWriter.WriteAsync(context, AwsProtocol.RestJson, 500, "ServerException", e.Message);
        }
        finally
        {
            context.Response.Body = client;
        }

        await trail.RecordAsync(context, info, caller, requestBody, answer.ToArray());
        answer.Position = 0;
        await answer.CopyToAsync(client, context.RequestAborted);
    }

    private async Task ProxyAsync(HttpContext context, string service, string region)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var info = AwsRequestClassifier.ClassifyProxied(context.Request, service, region, body);
        if (!await AdmitAsync(context, info)) return;
        if (LookupEventsEndpoint.Serves(info))
        {
            await LookupEventsEndpoint.ServeAsync(context, info, body, history);
            return;
        }

        if (await dependencies.RefusalAsync(info, body, context.RequestAborted) is { } refusal)
        {
            await AwsErrorWriter.WriteAsync(context, info.Protocol, 400, refusal.Code, refusal.Message);
            return;
        }

        var natInterfaces = await dependencies.NatGatewayInterfacesAsync(info, body, context.RequestAborted);
        try
        {
            // Keys moto issues are remembered so EKS tokens signed with them can be verified.
            var observe = AwsCredentialBook.IssuesCredentials(service, info.Operation) ? credentials.Observe : (Action<byte[]>?)null;
            await proxy.ForwardAsync(context, body, observe);
            if (natInterfaces.Count > 0 && context.Response.StatusCode == StatusCodes.Status200OK)
                await dependencies.DeleteInterfacesAsync(info.Region, natInterfaces, context.RequestAborted);
        }
        catch (HttpRequestException e) when (!context.Response.HasStarted)
        {
            logger.LogWarning("Proxying {Service} {Operation} to moto failed: {Message}", service, info.Operation, e.Message);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"moto_server is unreachable: {e.Message}");
        }
    }

    /// <summary>Logs the request and applies a pending fault; false when the fault already answered it.</summary>
    private async Task<bool> AdmitAsync(HttpContext context, AwsRequestInfo info)
    {
        context.SetAwsRequest(info);
        log.Record(info, context.Request);
        if (faults.Take(info) is not { } fault) return true;
        await FaultInjector.ApplyAsync(context, info, fault);
        return false;
    }
}

public static class AwsRequestContext
{
    private static readonly object Key = new();

    public static void SetAwsRequest(this HttpContext context, AwsRequestInfo info) => context.Items[Key] = info;

    public static AwsRequestInfo GetAwsRequest(this HttpContext context) =>
        (AwsRequestInfo?)context.Items[Key] ?? throw new InvalidOperationException("The front door did not classify this request.");
}
