using EksEmulator.FrontDoor;

namespace EksEmulator.Control;

public enum FaultKind { Throttle, Http500, Drop }

/// <summary>A fault armed for the next <see cref="Remaining"/> requests to a service (and optionally one operation).</summary>
public sealed class Fault(string service, string? operation, FaultKind kind, int count)
{
    public string Service { get; } = service;
    public string? Operation { get; } = operation;
    public FaultKind Kind { get; } = kind;
    public int Remaining { get; set; } = count;

    public bool Matches(AwsRequestInfo request) =>
        string.Equals(Service, request.Service, StringComparison.OrdinalIgnoreCase)
        && (Operation is null || string.Equals(Operation, request.Operation, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Injects throttling, server errors and dropped connections into matching requests.</summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<Fault> _faults = [];

    public void Add(Fault fault)
    {
        if (fault.Remaining < 1) throw new ArgumentOutOfRangeException(nameof(fault), "count must be at least 1.");
        lock (_gate) _faults.Add(fault);
    }

    public void Clear()
    {
        lock (_gate) _faults.Clear();
    }

    /// <summary>Consumes one use of the first fault that matches, if any.</summary>
    public FaultKind? Take(AwsRequestInfo request)
    {
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Matches(request));
            if (fault is null) return null;
            if (--fault.Remaining == 0) _faults.Remove(fault);
            return fault.Kind;
        }
    }

    /// <summary>Answers the request the way the service does when it throttles, fails, or the connection breaks.</summary>
    public static Task ApplyAsync(HttpContext context, AwsRequestInfo request, FaultKind kind)
    {
        switch (kind)
        {
            case FaultKind.Drop:
                context.Abort();
                return Task.CompletedTask;
            case FaultKind.Throttle:
                var (status, code, message) = request.Protocol switch
                {
                    AwsProtocol.RestJson => (429, "ThrottlingException", "Rate exceeded"),
                    AwsProtocol.Json => (400, "ThrottlingException", "Rate exceeded"),
                    // EC2 signals throttling with RequestLimitExceeded and HTTP 503.
                    AwsProtocol.Ec2 => (503, "RequestLimitExceeded", "Request limit exceeded."),
                    _ => (400, "Throttling", "Rate exceeded"),
                };
                return AwsErrorWriter.WriteAsync(context, request.Protocol, status, code, message);
            default:
                var serverCode = request.Protocol switch
                {
                    AwsProtocol.RestJson => "ServerException",
                    AwsProtocol.Ec2 => "InternalError",
                    _ => "InternalFailure",
                };
                return AwsErrorWriter.WriteAsync(context, request.Protocol, 500, serverCode, "An internal error occurred. Try again later.");
        }
    }
}
