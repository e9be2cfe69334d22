using System.Text;
using System.Text.Json.Nodes;

namespace EksEmulator.Kube;

/// <summary>How one protobuf field of a Kubernetes type maps to its JSON member.</summary>
public enum ProtoKind { String, Bool, Int64, RepeatedString, MapStringString, MapStringBytes, Message }

public sealed record ProtoField(string Json, ProtoKind Kind, IReadOnlyDictionary<int, ProtoField>? Message = null);

/// <summary>
/// Reads the Kubernetes protobuf wire form (<c>application/vnd.kubernetes.protobuf</c>): the "k8s\0" magic, a
/// runtime.Unknown envelope, and the generated message of the type inside. kubectl 1.32 sends built-in types this
/// way on create and replace. Only the fields each <see cref="KubeResource"/> declares are read; others are skipped.
/// </summary>
public static class KubeProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static readonly IReadOnlyDictionary<int, ProtoField> ObjectMeta = new Dictionary<int, ProtoField>
    {
        [1] = new("name", ProtoKind.String),
        [2] = new("generateName", ProtoKind.String),
        [3] = new("namespace", ProtoKind.String),
        [5] = new("uid", ProtoKind.String),
        [6] = new("resourceVersion", ProtoKind.String),
        [7] = new("generation", ProtoKind.Int64),
        [11] = new("labels", ProtoKind.MapStringString),
        [12] = new("annotations", ProtoKind.MapStringString),
        [14] = new("finalizers", ProtoKind.RepeatedString),
    };

    public static JsonObject Decode(byte[] body, KubeResource resource)
    {
        if (resource.Protobuf is null || body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new KubeStatusException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json");
        try
        {
            // runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType.
            var envelope = new Dictionary<int, ProtoField>
            {
                [1] = new("typeMeta", ProtoKind.Message, new Dictionary<int, ProtoField> { [1] = new("apiVersion", ProtoKind.String), [2] = new("kind", ProtoKind.String) }),
            };
            var reader = new Reader(body.AsMemory(Magic.Length));
            var outer = new JsonObject();
            ReadOnlyMemory<byte> raw = default;
            while (!reader.End)
            {
                var (field, wire) = reader.Tag();
                if (field == 2 && wire == 2) raw = reader.Bytes();
                else if (envelope.TryGetValue(field, out var spec) && wire == 2) outer[spec.Json] = ReadMessage(reader.Bytes(), spec.Message!);
                else reader.Skip(wire);
            }

            var obj = ReadMessage(raw, resource.Protobuf);
            if (outer["typeMeta"] is JsonObject typeMeta)
            {
                if (typeMeta["apiVersion"] is { } apiVersion) obj["apiVersion"] = apiVersion.DeepClone();
                if (typeMeta["kind"] is { } kind) obj["kind"] = kind.DeepClone();
            }

            return obj;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException)
        {
            throw KubeStatusException.BadRequest("the protobuf body could not be decoded");
        }
    }

    private static JsonObject ReadMessage(ReadOnlyMemory<byte> bytes, IReadOnlyDictionary<int, ProtoField> schema)
    {
        var reader = new Reader(bytes);
        var obj = new JsonObject();
        while (!reader.End)
        {
            var (field, wire) = reader.Tag();
            if (!schema.TryGetValue(field, out var spec))
            {
                reader.Skip(wire);
                continue;
            }

            switch (spec.Kind)
            {
                case ProtoKind.String: obj[spec.Json] = Encoding.UTF8.GetString(reader.Bytes().Span); break;
                case ProtoKind.Bool: obj[spec.Json] = reader.Varint() != 0; break;
                case ProtoKind.Int64: obj[spec.Json] = (long)reader.Varint(); break;
                case ProtoKind.RepeatedString:
                    (obj[spec.Json] as JsonArray ?? (JsonArray)(obj[spec.Json] = new JsonArray())).Add(Encoding.UTF8.GetString(reader.Bytes().Span));
                    break;
                case ProtoKind.MapStringString or ProtoKind.MapStringBytes:
                {
                    var entry = new Reader(reader.Bytes());
                    string key = "", value = "";
                    while (!entry.End)
                    {
                        var (entryField, entryWire) = entry.Tag();
                        if (entryField == 1) key = Encoding.UTF8.GetString(entry.Bytes().Span);
                        else if (entryField == 2)
                            value = spec.Kind == ProtoKind.MapStringBytes ? Convert.ToBase64String(entry.Bytes().Span) : Encoding.UTF8.GetString(entry.Bytes().Span);
                        else entry.Skip(entryWire);
                    }

                    (obj[spec.Json] as JsonObject ?? (JsonObject)(obj[spec.Json] = new JsonObject()))[key] = value;
                    break;
                }
                case ProtoKind.Message: obj[spec.Json] = ReadMessage(reader.Bytes(), spec.Message!); break;
            }
        }

        return obj;
    }

    private sealed class Reader(ReadOnlyMemory<byte> data)
    {
        private int _position;

        public bool End => _position >= data.Length;

        public (int Field, int Wire) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = data.Span[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }

            throw new InvalidDataException("varint too long");
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = (int)Varint();
            var slice = data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2: Bytes(); break;
                case 5: _position += 4; break;
                default: throw new InvalidDataException($"unsupported wire type {wire}");
            }
        }
    }
}
