using System.Globalization;

namespace EksModule.Engine.Network;

/// <summary>An IPv4 CIDR block held as a 32-bit network address and a prefix length.</summary>
internal readonly record struct Ipv4Cidr(uint Network, int Prefix)
{
    public ulong Size => 1UL << (32 - Prefix);

    public ulong LastAddress => Network + Size - 1;

    public bool Contains(Ipv4Cidr other) => other.Network >= Network && other.LastAddress <= LastAddress;

    public bool Overlaps(Ipv4Cidr other) => Network <= other.LastAddress && other.Network <= LastAddress;

    public override string ToString() =>
        $"{Network >> 24}.{(Network >> 16) & 0xFF}.{(Network >> 8) & 0xFF}.{Network & 0xFF}/{Prefix}";

    public static Ipv4Cidr Parse(string text) =>
        TryParse(text, out var cidr, out var error) ? cidr : throw new FormatException(error);

    /// <summary>Strict dotted-quad "a.b.c.d/n" with the host bits zero, the form CreateVpc accepts.</summary>
    public static bool TryParse(string? text, out Ipv4Cidr cidr, out string error)
    {
        cidr = default;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The VPC CIDR is empty; give an IPv4 block such as 192.168.0.0/16.";
            return false;
        }

        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            error = $"'{text}' is not a CIDR block: it has no '/prefix'. Use the form 192.168.0.0/16.";
            return false;
        }

        var addressPart = text[..slash];
        var prefixPart = text[(slash + 1)..];
        if (addressPart.Contains(':'))
        {
            error = $"'{text}' is an IPv6 block; the cluster VPC needs an IPv4 CIDR such as 192.168.0.0/16.";
            return false;
        }

        var octets = addressPart.Split('.');
        uint address = 0;
        if (octets.Length != 4)
        {
            error = $"'{text}' is not an IPv4 CIDR block; use four dotted numbers and a prefix, e.g. 10.0.0.0/16.";
            return false;
        }

        foreach (var octet in octets)
        {
            if (octet.Length is 0 or > 3 || !octet.All(char.IsAsciiDigit)
                || !byte.TryParse(octet, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"'{text}' is not an IPv4 CIDR block: '{octet}' is not a number from 0 to 255.";
                return false;
            }

            address = (address << 8) | value;
        }

        if (prefixPart.Length is 0 or > 2 || !prefixPart.All(char.IsAsciiDigit)
            || !int.TryParse(prefixPart, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            error = $"'{text}' has an invalid prefix length '{prefixPart}'; it must be a number from 0 to 32.";
            return false;
        }

        var hostMask = prefix == 0 ? uint.MaxValue : (uint)((1UL << (32 - prefix)) - 1);
        if ((address & hostMask) != 0)
        {
            var network = new Ipv4Cidr(address & ~hostMask, prefix);
            error = $"'{text}' has host bits set; the block starting there is {network}.";
            return false;
        }

        cidr = new Ipv4Cidr(address, prefix);
        return true;
    }
}
