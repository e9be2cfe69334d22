using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EksModule.Engine.Upgrades;

/// <summary>
/// Turns a PowerShell hashtable into an add-on's configurationValues JSON. For vpc-cni, keys written as
/// environment variables (ENABLE_PREFIX_DELEGATION, WARM_IP_TARGET, ...) go under "env" as strings, which
/// is where and how the add-on's schema wants them; every other key is passed through as given.
/// </summary>
public static partial class AddonConfiguration
{
    public const string VpcCni = "vpc-cni";

    public static string ToJson(string addonName, IDictionary values)
    {
        var root = new JsonObject();
        JsonObject? env = null;
        foreach (DictionaryEntry entry in values)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            if (addonName == VpcCni && EnvName().IsMatch(key))
            {
                env ??= root["env"] as JsonObject ?? new JsonObject();
                env[key] = EnvString(entry.Value);
                root["env"] = env;
                continue;
            }
            if (addonName == VpcCni && key == "env" && entry.Value is IDictionary given)
            {
                env ??= new JsonObject();
                foreach (DictionaryEntry e in given) env[Convert.ToString(e.Key, CultureInfo.InvariantCulture)!] = EnvString(e.Value);
                root["env"] = env;
                continue;
            }
            root[key] = ToNode(entry.Value);
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private static string EnvString(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int or long or short or byte or uint or ulong => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        double or float or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        IDictionary d => new JsonObject(d.Cast<DictionaryEntry>().Select(e =>
            KeyValuePair.Create(Convert.ToString(e.Key, CultureInfo.InvariantCulture)!, ToNode(e.Value)))),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToNode).ToArray()),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*$")]
    private static partial Regex EnvName();
}
