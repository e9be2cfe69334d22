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
        => SplitGroups(changes.Select(c => (IReadOnlyList<RecordChange>)new[] { c }));

    /// <summary>
    /// Like <see cref="Split"/>, but each group (a record with its ownership mark) goes whole into one request,
    /// so Route 53 applies the record and its mark together or not at all; every change of the group counts.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<RecordChange>> SplitGroups(IEnumerable<IReadOnlyList<RecordChange>> groups)
    {
        var batches = new List<IReadOnlyList<RecordChange>>();
        var current = new List<RecordChange>();
        int records = 0, characters = 0;
        foreach (var group in groups)
        {
            if (group.Count == 0) continue;
            int r = 0, c = 0;
            foreach (var change in group)
            {
                var (cr, cc) = Cost(change);
                r += cr;
                c += cc;
            }
            if (r > MaxResourceRecords || c > MaxValueCharacters || group.Count > MaxChanges)
            {
                var record = group[0].Record;
                throw new Errors.ModuleOperationException("RecordSetTooLarge", "InvalidArgument",
                    $"The {record.Type} record {record.Name} alone exceeds what one Route 53 request accepts " +
                    $"({r} ResourceRecord elements, {c} value characters counted{(group.Count > 1 ? ", its ownership mark included" : "")}; " +
                    $"limits {MaxResourceRecords} and {MaxValueCharacters}, UPSERT counting twice). Split its values.");
            }
            if (current.Count > 0 && (records + r > MaxResourceRecords || characters + c > MaxValueCharacters || current.Count + group.Count > MaxChanges))
            {
                batches.Add(current);
                current = new List<RecordChange>();
                records = characters = 0;
            }
            current.AddRange(group);
            records += r;
            characters += c;
        }
        if (current.Count > 0) batches.Add(current);
        return batches;
    }
}
