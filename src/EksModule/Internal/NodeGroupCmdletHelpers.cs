using System.Collections;

namespace EksModule.Internal;

/// <summary>Small conversions the node group cmdlets share.</summary>
internal static class NodeGroupCmdletHelpers
{
    /// <summary>A hashtable of -Label or -Tag as string pairs; null when not given.</summary>
    internal static Dictionary<string, string>? ToDictionary(Hashtable? table)
    {
        if (table is null) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table) result[entry.Key.ToString()!] = entry.Value?.ToString() ?? string.Empty;
        return result;
    }
}
