using System.Net;
using System.Net.Sockets;

namespace EksModule.Engine.Dns;

/// <summary>Bad record input, caught before any request is sent.</summary>
public sealed class InvalidRecordInputException : ArgumentException
{
    public InvalidRecordInputException(string errorId, string message) : base(message) => ErrorId = errorId;
    public string ErrorId { get; }
}

/// <summary>Checks record input the way Route 53 would reject it, so the user hears it before a request is made.</summary>
public static class RecordValidation
{
    /// <summary>The record types Route 53's ChangeResourceRecordSets accepts.</summary>
    public static readonly IReadOnlyList<string> Types = new[]
        { "A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT" };

    public static string Name(string name)
    {
        var trimmed = name.Trim().TrimEnd('.');
        if (trimmed.Length == 0 || trimmed.Length > 253)
            throw new InvalidRecordInputException("InvalidRecordName", $"'{name}' is not a DNS name: it must have 1 to 253 characters, like web.example.com.");
        var labels = trimmed.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Length is 0 or > 63)
                throw new InvalidRecordInputException("InvalidRecordName", $"'{name}' is not a DNS name: each dot-separated label needs 1 to 63 characters.");
            if (label == "*" && i == 0) continue;
            if (label.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new InvalidRecordInputException("InvalidRecordName",
                    $"'{name}' is not a DNS name: use letters, digits, '-' and '_' in labels, and '*' only as the whole first label.");
        }
        return trimmed.ToLowerInvariant();
    }

    public static string Type(string type)
    {
        var upper = type.Trim().ToUpperInvariant();
        if (!Types.Contains(upper))
            throw new InvalidRecordInputException("InvalidRecordType", $"'{type}' is not a record type Route 53 supports. Use one of: {string.Join(", ", Types)}.");
        return upper;
    }

    public static IReadOnlyList<string> Values(string name, string type, IReadOnlyList<string>? values)
    {
        var list = (values ?? Array.Empty<string>()).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => DnsRecordService.NormalizeValue(type, v.Trim())).ToList();
        if (list.Count == 0)
            throw new InvalidRecordInputException("MissingRecordValue",
                $"The {type} record {name} needs a value: pass -Value (or pipe an object with Value/Values), or -LoadBalancerArn for an alias to a load balancer.");
        if (type is "CNAME" && list.Count > 1)
            throw new InvalidRecordInputException("InvalidRecordValue", $"A CNAME record has exactly one value; {name} got {list.Count}.");
        foreach (var value in list)
        {
            var ok = type switch
            {
                "A" => IPAddress.TryParse(value, out var a) && a.AddressFamily == AddressFamily.InterNetwork && value.Count(c => c == '.') == 3,
                "AAAA" => IPAddress.TryParse(value, out var b) && b.AddressFamily == AddressFamily.InterNetworkV6,
                _ => value.Length <= 4000,
            };
            if (!ok)
                throw new InvalidRecordInputException("InvalidRecordValue",
                    type is "A" or "AAAA"
                        ? $"'{value}' is not an IPv{(type == "A" ? 4 : 6)} address, which an {type} record needs ({name}). For a host name use a CNAME record."
                        : $"The value of {name} ({type}) is longer than 4,000 characters.");
        }
        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
            throw new InvalidRecordInputException("DuplicateRecordValue", $"{name} ({type}) lists the same value twice; Route 53 rejects duplicates.");
        return list;
    }

    public static long Ttl(long ttl)
        => ttl is < 0 or > 2147483647
            ? throw new InvalidRecordInputException("InvalidTtl", $"TTL {ttl} is out of range: use 0 to 2147483647 seconds (300 is usual).")
            : ttl;
}
