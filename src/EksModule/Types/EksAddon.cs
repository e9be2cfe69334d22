using EksModule.Engine.Upgrades;

namespace EksModule.Types;

/// <summary>An EKS add-on. Property names follow the EKS API (as AWS.Tools.EKS's Amazon.EKS.Model.Addon does); Region and Name are the module's own.</summary>
public sealed class EksAddon
{
    internal EksAddon(Addon addon, string region)
    {
        AddonName = addon.AddonName;
        ClusterName = addon.ClusterName;
        Status = addon.Status;
        AddonVersion = addon.AddonVersion;
        Health = addon.Health;
        AddonArn = addon.AddonArn;
        CreatedAt = addon.CreatedAt?.ToLocalTime();
        ModifiedAt = addon.ModifiedAt?.ToLocalTime();
        ServiceAccountRoleArn = addon.ServiceAccountRoleArn;
        Tags = new Dictionary<string, string>(addon.Tags);
        Publisher = addon.Publisher;
        Owner = addon.Owner;
        ConfigurationValues = addon.ConfigurationValues;
        Region = region;
    }

    public string AddonName { get; }
    public string ClusterName { get; }
    public string? Status { get; }
    public string? AddonVersion { get; }
    public AddonHealth? Health { get; }
    public string? AddonArn { get; }
    public DateTime? CreatedAt { get; }
    public DateTime? ModifiedAt { get; }
    public string? ServiceAccountRoleArn { get; }
    public Dictionary<string, string> Tags { get; }
    public string? Publisher { get; }
    public string? Owner { get; }
    public string? ConfigurationValues { get; }
    public string Region { get; }

    /// <summary>The add-on's name again, so it binds to -Name of the other add-on cmdlets.</summary>
    public string Name => AddonName;

    public override string ToString() => $"{ClusterName}/{AddonName}";
}
