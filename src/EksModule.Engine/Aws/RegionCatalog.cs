using Amazon;
using Amazon.Runtime.CredentialManagement;

namespace EksModule.Engine.Aws;

/// <summary>Local lookups for tab completion: regions the SDK knows and profiles on disk. No AWS call.</summary>
public static class RegionCatalog
{
    public static IEnumerable<string> Names() => RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).OrderBy(n => n, StringComparer.Ordinal);

    public static string DisplayName(string systemName) => RegionEndpoint.GetBySystemName(systemName).DisplayName;

    public static IEnumerable<string> ProfileNames(string? profileLocation) =>
        new CredentialProfileStoreChain(profileLocation).ListProfiles().Select(p => p.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal);
}
