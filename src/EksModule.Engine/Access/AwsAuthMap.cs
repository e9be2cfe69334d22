using YamlDotNet.Serialization;

namespace EksModule.Engine.Access;

/// <summary>One mapping of aws-auth's mapRoles (rolearn) or mapUsers (userarn).</summary>
public sealed record AwsAuthMapping(string Arn, string? Username, IReadOnlyList<string> Groups);

/// <summary>
/// Edits one section (mapRoles or mapUsers) of the aws-auth ConfigMap: a YAML sequence of mappings. Mappings and keys
/// this module does not touch are written back as they were read (key order included), so other tools' entries survive.
/// </summary>
public sealed class AwsAuthSection
{
    private readonly List<Dictionary<string, object?>> _items;

    private AwsAuthSection(string section, List<Dictionary<string, object?>> items)
    {
        Section = section;
        _items = items;
    }

    public string Section { get; }

    /// <summary>rolearn for mapRoles, userarn for mapUsers.</summary>
    public string ArnKey => Section == "mapRoles" ? "rolearn" : "userarn";

    public static string SectionFor(string principalArn) => principalArn.Contains(":role/", StringComparison.Ordinal) ? "mapRoles" : "mapUsers";

    public static AwsAuthSection Parse(string section, string? text)
    {
        var items = new List<Dictionary<string, object?>>();
        if (!string.IsNullOrWhiteSpace(text))
        {
            object? root;
            try { root = new DeserializerBuilder().Build().Deserialize<object?>(text); }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new Errors.ModuleOperationException("InvalidAwsAuth", "InvalidData",
                    $"The {section} entry of ConfigMap kube-system/aws-auth is not valid YAML ({e.Message}). Fix it with kubectl edit configmap aws-auth -n kube-system, then run the command again.");
            }
            if (root is not null and not List<object>)
                throw new Errors.ModuleOperationException("InvalidAwsAuth", "InvalidData",
                    $"The {section} entry of ConfigMap kube-system/aws-auth is not a YAML list. Fix it with kubectl edit configmap aws-auth -n kube-system, then run the command again.");
            foreach (var item in (List<object>?)root ?? new List<object>())
            {
                if (item is not Dictionary<object, object> map) continue;
                items.Add(map.ToDictionary(kv => kv.Key.ToString()!, kv => (object?)kv.Value));
            }
        }
        return new AwsAuthSection(section, items);
    }

    public IEnumerable<AwsAuthMapping> Mappings => _items
        .Where(i => i.GetValueOrDefault(ArnKey) is string)
        .Select(i => new AwsAuthMapping((string)i[ArnKey]!, i.GetValueOrDefault("username") as string, Groups(i)));

    public AwsAuthMapping? Find(string arn) => Mappings.FirstOrDefault(m => string.Equals(m.Arn, arn, StringComparison.Ordinal));

    /// <summary>Adds or updates the mapping for <paramref name="arn"/>: the username is set, the groups are added to those it has.</summary>
    public bool Upsert(string arn, string username, IEnumerable<string> groups)
    {
        var item = _items.FirstOrDefault(i => i.GetValueOrDefault(ArnKey) as string == arn);
        if (item is null)
        {
            item = new Dictionary<string, object?> { [ArnKey] = arn };
            _items.Add(item);
        }
        var before = (item.GetValueOrDefault("username") as string, string.Join("\n", Groups(item)));
        item["username"] = username;
        var merged = Groups(item).Concat(groups).Distinct(StringComparer.Ordinal).ToList();
        item["groups"] = merged.Cast<object>().ToList();
        return before != (username, string.Join("\n", merged));
    }

    /// <summary>Removes the groups from the mapping, or the whole mapping when <paramref name="groups"/> is null. False when nothing changed.</summary>
    public bool Remove(string arn, IReadOnlyCollection<string>? groups)
    {
        var item = _items.FirstOrDefault(i => i.GetValueOrDefault(ArnKey) as string == arn);
        if (item is null) return false;
        if (groups is null) return _items.Remove(item);
        var current = Groups(item);
        var kept = current.Where(g => !groups.Contains(g)).ToList();
        if (kept.Count == current.Count) return false;
        item["groups"] = kept.Cast<object>().ToList();
        return true;
    }

    public string ToYaml() => _items.Count == 0 ? string.Empty : new SerializerBuilder().Build().Serialize(_items);

    private static List<string> Groups(Dictionary<string, object?> item) => item.GetValueOrDefault("groups") switch
    {
        List<object> list => list.Select(g => g?.ToString() ?? string.Empty).ToList(),
        string single when single.Length > 0 => new List<string> { single },
        _ => new List<string>(),
    };
}
