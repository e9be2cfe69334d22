namespace EksModule.Engine.Dns;

/// <summary>
/// Splits changes into as few ChangeResourceRecordSets requests as Route 53 accepts. Its limits per
/// request: at most 1,000 ResourceRecord elements and at most 32,000 characters in all Value elements,
/// and for UPSERT each ResourceRecord element and each Value character counts twice.
/// </summary>
public static class ChangeBatcher
{
    public const int MaxResourceRecords = 1000;
    public const int MaxValueCharacters = 32000;

    /// <summary>
    /// Route 53 no longer caps Change elements as such, but an alias change carries no ResourceRecord, so
    /// this keeps a request of only alias changes to the same bound rather than unlimited.
    /// </summary>
    public const int MaxChanges = 1000;

    public static (int Records, int Characters) Cost(RecordChange change)
    {
        var factor = change.Action == ChangeAction.Upsert ? 2 : 1;
        var records = change.Record.Values.Count;
        var characters = change.Record.Values.Sum(v => v.Length);
        return (records * factor, characters * factor);
    }

    public static IReadOnlyList<IReadOnlyList<RecordChange>> Split(IEnumerable<RecordChange> changes)
    {
        var batches = new List<IReadOnlyList<RecordChange>>();
        var current = new List<RecordChange>();
        int records = 0, characters = 0;
        foreach (var change in changes)
        {
            var (r, c) = Cost(change);
            if (r > MaxResourceRecords || c > MaxValueCharacters)
                throw new Errors.ModuleOperationException("RecordSetTooLarge", "InvalidArgument",
                    $"The {change.Record.Type} record {change.Record.Name} alone exceeds what one Route 53 request accepts " +
                    $"({r} ResourceRecord elements, {c} value characters counted; limits {MaxResourceRecords} and {MaxValueCharacters}, UPSERT counting twice). Split its values.");
            if (current.Count > 0 && (records + r > MaxResourceRecords || characters + c > MaxValueCharacters || current.Count + 1 > MaxChanges))
            {
                batches.Add(current);
                current = new List<RecordChange>();
                records = characters = 0;
            }
            current.Add(change);
            records += r;
            characters += c;
        }
        if (current.Count > 0) batches.Add(current);
        return batches;
    }
}
