namespace EksEmulator.Eks;

/// <summary>
/// All EKS state, per region. Callers work inside <see cref="RunAsync{T}"/>, which serialises access and first
/// settles every transition that is due (finished updates applied, deleted resources removed).
/// </summary>
public sealed class EksStore(TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Region, string Name), ClusterState> _clusters = [];

    public async Task<T> RunAsync<T>(Func<StoreView, Task<T>> work, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            var now = clock.GetUtcNow();
            Settle(now);
            return await work(new StoreView(this, now));
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ClearAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var cluster in _clusters.Values) cluster.Release();
            _clusters.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Settle(DateTimeOffset now)
    {
        foreach (var (key, cluster) in _clusters.ToList())
        {
            if (cluster.GoneAt <= now)
            {
                cluster.Release();
                _clusters.Remove(key);
                continue;
            }

            foreach (var update in cluster.Updates.Where(u => !u.Applied && u.CompletesAt <= now))
                update.Complete(cluster);

            foreach (var (name, addon) in cluster.Addons.ToList())
            {
                if (addon.GoneAt <= now)
                {
                    cluster.Addons.Remove(name);
                    continue;
                }

                foreach (var update in addon.Updates.Where(u => !u.Applied && u.CompletesAt <= now))
                    update.Complete(cluster);
            }

            foreach (var (name, nodegroup) in cluster.Nodegroups.ToList())
            {
                if (nodegroup.GoneAt <= now)
                {
                    cluster.Nodegroups.Remove(name);
                    continue;
                }

                foreach (var update in nodegroup.Updates.Where(u => !u.Applied && u.CompletesAt <= now))
                    update.Complete(cluster);
            }
        }
    }

    /// <summary>The store as seen at one instant, inside the lock.</summary>
    public sealed class StoreView(EksStore store, DateTimeOffset now)
    {
        public DateTimeOffset Now { get; } = now;

        public ClusterState? Find(string region, string name) => store._clusters.GetValueOrDefault((region, name));

        public ClusterState Get(string region, string name) => Find(region, name) ?? throw EksException.ClusterNotFound(name);

        public IEnumerable<ClusterState> InRegion(string region) =>
            store._clusters.Values.Where(c => c.Region == region).OrderBy(c => c.Name, StringComparer.Ordinal);

        /// <summary>Every cluster in every region (for controllers that reconcile them all).</summary>
        public IReadOnlyList<ClusterState> All => store._clusters.Values.ToList();

        public void Add(ClusterState cluster) => store._clusters.Add((cluster.Region, cluster.Name), cluster);
    }
}
