using System.Globalization;

namespace EksModule.Engine.Clusters;

/// <summary>One Kubernetes minor version as Amazon EKS supports it.</summary>
public sealed record KubernetesVersionInfo(string Version, DateOnly EksRelease, DateOnly EndOfStandardSupport, DateOnly EndOfExtendedSupport)
{
    public bool InStandardSupport(DateOnly today) => today >= EksRelease && today < EndOfStandardSupport;
    public bool Supported(DateOnly today) => today >= EksRelease && today < EndOfExtendedSupport;
}

/// <summary>
/// The EKS Kubernetes versions this module knows (standard support is 14 months from the EKS release,
/// extended support 12 more). New-EksCluster defaults to the newest in standard support today.
/// </summary>
public static class KubernetesVersions
{
    public static IReadOnlyList<KubernetesVersionInfo> Known { get; } = new[]
    {
        V("1.29", "2024-01-23", "2025-03-23", "2026-03-23"),
        V("1.30", "2024-05-23", "2025-07-23", "2026-07-23"),
        V("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
        V("1.32", "2025-01-23", "2026-03-23", "2027-03-23"),
        V("1.33", "2025-05-29", "2026-07-29", "2027-07-29"),
        V("1.34", "2025-10-02", "2026-12-02", "2027-12-02"),
        V("1.35", "2026-01-27", "2027-03-27", "2028-03-27"),
    };

    private static KubernetesVersionInfo V(string version, string release, string standardEnd, string extendedEnd) =>
        new(version, DateOnly.Parse(release, CultureInfo.InvariantCulture), DateOnly.Parse(standardEnd, CultureInfo.InvariantCulture),
            DateOnly.Parse(extendedEnd, CultureInfo.InvariantCulture));

    public static KubernetesVersionInfo? Find(string version) => Known.FirstOrDefault(v => v.Version == version);

    public static string DefaultVersion(DateOnly today) =>
        Known.Where(v => v.InStandardSupport(today)).OrderByDescending(v => Version.Parse(v.Version)).FirstOrDefault()?.Version
        ?? Known.OrderByDescending(v => Version.Parse(v.Version)).First().Version;

    /// <summary>The versions a new cluster may be created with today (standard or extended support).</summary>
    public static IReadOnlyList<string> Creatable(DateOnly today) =>
        Known.Where(v => v.Supported(today)).Select(v => v.Version).ToList();

    /// <summary>The minor version after <paramref name="version"/>, if the module knows it.</summary>
    public static string? Next(string version)
    {
        var parsed = Version.Parse(version);
        return Find($"{parsed.Major}.{parsed.Minor + 1}")?.Version;
    }
}
