namespace EksEmulator.Control;

/// <summary>
/// Makes the next asynchronous EKS updates of one kind (VersionUpdate, AddonUpdate, ...; optionally only for one
/// add-on or node group) end Failed instead of Successful, as a long upgrade can fail midway in EKS.
/// </summary>
public sealed class UpdateFailureInjector
{
    private sealed record Armed(string UpdateType, string? Resource, string ErrorCode, string Message)
    {
        public int Remaining { get; set; }
    }

    private readonly object _gate = new();
    private readonly List<Armed> _armed = [];

    public void Add(string updateType, string? resource, int count, string? errorCode, string? message)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "count must be at least 1.");
        lock (_gate)
            _armed.Add(new Armed(updateType, resource, errorCode ?? "Unknown", message ?? "The update failed (injected by the emulator).") { Remaining = count });
    }

    public void Clear()
    {
        lock (_gate) _armed.Clear();
    }

    /// <summary>Consumes one armed failure for this update, if any; the answer is the error the update ends with.</summary>
    public Eks.ErrorDetail? Take(string updateType, string resource)
    {
        lock (_gate)
        {
            var armed = _armed.FirstOrDefault(a => a.UpdateType == updateType && (a.Resource is null || a.Resource == resource));
            if (armed is null) return null;
            if (--armed.Remaining == 0) _armed.Remove(armed);
            return new Eks.ErrorDetail(armed.ErrorCode, armed.Message, [resource]);
        }
    }
}
