namespace EksEmulator;

/// <summary>Command line of the emulator: <c>--port p --moto-url u [--create-seconds n] [--delete-seconds n] [--update-seconds n]</c>.</summary>
public sealed record EmulatorOptions(int Port, Uri MotoUrl, LifecycleTimings Timings)
{
    public static EmulatorOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Usage: --port <p|0> --moto-url <url> [--create-seconds n] [--delete-seconds n] [--update-seconds n]");
            values[args[i][2..]] = args[++i];
        }

        if (!values.TryGetValue("moto-url", out var motoUrl))
            throw new ArgumentException("--moto-url is required.");

        var timings = new LifecycleTimings();
        timings.Set(
            ReadSeconds(values, "create-seconds", timings.Create),
            ReadSeconds(values, "delete-seconds", timings.Delete),
            ReadSeconds(values, "update-seconds", timings.Update));
        var port = values.TryGetValue("port", out var p) ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return new EmulatorOptions(port, new Uri(motoUrl.TrimEnd('/') + "/"), timings);
    }

    private static TimeSpan ReadSeconds(Dictionary<string, string> values, string key, TimeSpan fallback) =>
        values.TryGetValue(key, out var text)
            ? TimeSpan.FromSeconds(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture))
            : fallback;
}

/// <summary>How long lifecycle transitions take; changeable at run time through the control API.</summary>
public sealed class LifecycleTimings
{
    private readonly object _gate = new();
    private TimeSpan _create = TimeSpan.FromSeconds(2);
    private TimeSpan _delete = TimeSpan.FromSeconds(1);
    private TimeSpan _update = TimeSpan.FromSeconds(2);

    public TimeSpan Create { get { lock (_gate) return _create; } }
    public TimeSpan Delete { get { lock (_gate) return _delete; } }
    public TimeSpan Update { get { lock (_gate) return _update; } }

    public void Set(TimeSpan? create = null, TimeSpan? delete = null, TimeSpan? update = null)
    {
        foreach (var value in new[] { create, delete, update })
            if (value < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), "Timings cannot be negative.");
        lock (_gate)
        {
            _create = create ?? _create;
            _delete = delete ?? _delete;
            _update = update ?? _update;
        }
    }
}
