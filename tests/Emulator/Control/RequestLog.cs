using EksEmulator.FrontDoor;

namespace EksEmulator.Control;

/// <summary>One AWS request as the control API reports it.</summary>
public sealed record LoggedRequest(string Service, string Operation, string Method, string Path, bool Mutating);

/// <summary>Every AWS request seen since the last clear, in arrival order.</summary>
public sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly List<LoggedRequest> _entries = [];

    public void Record(AwsRequestInfo info, HttpRequest request)
    {
        var entry = new LoggedRequest(info.Service, info.Operation, request.Method, request.Path.Value ?? "/", info.IsMutating);
        lock (_gate) _entries.Add(entry);
    }

    public IReadOnlyList<LoggedRequest> Snapshot()
    {
        lock (_gate) return _entries.ToArray();
    }

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
