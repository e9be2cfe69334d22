using System.Management.Automation;
using EksModule.Engine.Dns;
using EksModule.Engine.Errors;
using EksModule.Engine.LoadBalancing;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Creates or updates (UPSERT) Route 53 records: an alias A (and AAAA for dualstack) record to a load
/// balancer, or plain records from -Type/-Value or piped objects. Pipeline input is collected and sent in
/// as few change batches as Route 53 accepts, then the command waits until Route 53 reports INSYNC.
/// </summary>
[Cmdlet(VerbsCommon.Set, "EksDnsRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(EksDnsRecord))]
public sealed class SetEksDnsRecordCommand : AwsCmdletBase
{
    private static readonly string[] LoadBalancerKinds = { "Network", "Application", "Classic", "Gateway" };
    private readonly List<(DesiredInput Input, HostedZone Zone)> _records = new();
    private int _invalid;
    private DnsRecordService? _dns;
    private DnsOwnerResolver? _owners;

    /// <summary>The record name, e.g. web.example.com.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("RecordName")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The record type (A, AAAA, CNAME, TXT, MX, ...). With -LoadBalancerArn, A (default) or AAAA only.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("RecordType")]
    [ArgumentCompleter(typeof(DnsRecordTypeCompleter))]
    public string? Type { get; set; }

    /// <summary>The record's values.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [Alias("Values")]
    public string[]? Value { get; set; }

    /// <summary>Time to live in seconds (default 300). Alias records have none.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long? TTL { get; set; }

    /// <summary>An ELBv2 load balancer ARN, or a Classic load balancer's name: the record becomes an alias to it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? LoadBalancerArn { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostedZoneId { get; set; }

    /// <summary>The name of the hosted zone, when several could hold the record.</summary>
    [Parameter]
    public string? ZoneName { get; set; }

    /// <summary>Use the private hosted zone rather than the public one.</summary>
    [Parameter]
    public SwitchParameter PrivateZone { get; set; }

    /// <summary>Whether an alias record follows the load balancer's health (default true).</summary>
    [Parameter]
    public bool EvaluateTargetHealth { get; set; } = true;

    /// <summary>Return once Route 53 accepted the change, without waiting for INSYNC.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 600;

    /// <summary>The owner id written in the module's ownership mark (default: the cluster's ARN for a load balancer of a cluster, else the account's ARN).</summary>
    [Parameter]
    public string? OwnerId { get; set; }

    /// <summary>Take over (adopt) records that exist without this owner's mark, and skip confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private sealed record DesiredInput(RecordSet Record, object Target, string OwnerId);

    protected override void ProcessRecord()
    {
        List<RecordSet> records;
        try
        {
            records = Validate();
        }
        catch (InvalidRecordInputException e)
        {
            _invalid++;
            WriteError(ToErrorRecord(e, Name));
            return;
        }
        try
        {
            _dns ??= new DnsRecordService(Session);
            var owners = _owners ??= new DnsOwnerResolver(Session);
            var owner = OwnerId is { Length: > 0 } ? OwnerId.Trim() : null;
            if (LoadBalancerArn is { Length: > 0 } lbId)
            {
                var session = Session;
                var lb = Run(ct => new ElbApi(session).TryDescribeAsync(lbId, ct))
                    ?? throw new ModuleOperationException("LoadBalancerNotFound", "ObjectNotFound",
                        $"No load balancer {lbId} in {session.Region}. Check the ARN (or Classic name) and -Region; Get-EksLoadBalancer lists a cluster's load balancers.");
                owner ??= Run(ct => owners.ForLoadBalancerAsync(lb, ct));
                var alias = new AliasTarget(lb.CanonicalHostedZoneId, lb.DnsName, EvaluateTargetHealth);
                var types = Type is { } t && !LoadBalancerKinds.Contains(t, StringComparer.OrdinalIgnoreCase)
                    ? new[] { RecordValidation.Type(t) }
                    : lb.IsDualStack ? new[] { "A", "AAAA" } : new[] { "A" };
                records = types.Select(type => new RecordSet(records[0].Name, type, null, Array.Empty<string>(), alias)).ToList();
            }
            owner ??= Run(owners.AccountOwnerAsync);
            var name = records[0].Name;
            var zone = Run(ct => _dns.ResolveZoneAsync(name, HostedZoneId, ZoneName, PrivateZone, ct));
            foreach (var record in records)
            {
                if (DnsOwnership.MarkName(record.Name, record.Type).Length > 254)
                    throw new InvalidRecordInputException("InvalidRecordName",
                        $"'{record.Name}' is too long to carry the ownership mark {DnsOwnership.MarkName(record.Name, record.Type)} (253 characters at most). Use a shorter name.");
                _records.Add((new DesiredInput(record, Name, owner), zone));
            }
        }
        catch (InvalidRecordInputException e)
        {
            _invalid++;
            WriteError(ToErrorRecord(e, Name));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            _invalid++;
            ReportError(e, Name);
        }
    }

    private List<RecordSet> Validate()
    {
        var name = RecordValidation.Name(Name);
        if (OwnerId is not null) DnsOwnership.ValidateOwnerId(OwnerId);
        if (LoadBalancerArn is { Length: > 0 })
        {
            if (Value is { Length: > 0 })
                throw new InvalidRecordInputException("AliasWithValue", $"{Name}: pass either -LoadBalancerArn (an alias record) or -Value, not both.");
            if (Type is { } t && !LoadBalancerKinds.Contains(t, StringComparer.OrdinalIgnoreCase) && RecordValidation.Type(t) is not ("A" or "AAAA"))
                throw new InvalidRecordInputException("InvalidAliasType", $"An alias to a load balancer is an A or AAAA record; {Name} asked for {t}.");
            return new List<RecordSet> { new(name, "A", null, Array.Empty<string>(), null) };
        }
        if (string.IsNullOrWhiteSpace(Type))
            throw new InvalidRecordInputException("MissingRecordType",
                $"{Name}: pass -Type (A, CNAME, TXT, ...) with -Value, or -LoadBalancerArn for an alias to a load balancer.");
        var type = RecordValidation.Type(Type);
        var values = RecordValidation.Values(name, type, Value);
        var ttl = RecordValidation.Ttl(TTL ?? 300);
        return new List<RecordSet> { new(name, type, ttl, values, null) };
    }

    protected override void EndProcessing()
    {
        try
        {
            if (_invalid > 0)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("Some records were invalid."), "NothingSent", ErrorCategory.InvalidData, null)
                {
                    ErrorDetails = new ErrorDetails($"{_invalid} of {_invalid + _records.Count} record(s) could not be used (see the errors above), so no DNS change was sent. Fix them and run the command again."),
                });
            }
            if (_records.Count == 0 || _dns is null) return;
            var duplicate = _records.GroupBy(r => (r.Zone.ShortId, r.Input.Record.Key)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                ThrowTerminatingError(ToErrorRecord(new InvalidRecordInputException("DuplicateRecord",
                    $"{duplicate.First().Input.Record.Name} ({duplicate.First().Input.Record.Type}) is given more than once; Route 53 takes one change per record set in a batch. Nothing was sent."), null));

            var dns = _dns;
            var plans = Run(ct => dns.PlanAsync(_records.Select(r => new DesiredRecord(r.Zone, r.Input.Record, r.Input.OwnerId)).ToList(), Force, ct));
            var toSend = new List<ChangeGroup>();
            var output = new List<(PlannedRecord Plan, IReadOnlyList<RecordChange> Changes)>();
            foreach (var plan in plans)
            {
                var target = $"{plan.Desired.Name} {plan.Desired.Type} in zone {plan.Zone.Name.TrimEnd('.')} ({plan.Zone.ShortId})";
                if (plan.Refused)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException($"{target} is not owned by '{plan.OwnerId}'."), "RecordNotOwned", ErrorCategory.PermissionDenied, plan.Desired.Name)
                    {
                        ErrorDetails = new ErrorDetails(DnsRecordService.ForeignMessage(plan.Zone, plan.Desired, plan.Current, plan.Owners, plan.OwnerId, removing: false)),
                    });
                    continue;
                }
                var changes = plan.Changes;
                if (changes.Count == 0)
                {
                    WriteVerbose($"{plan.Desired.Name} {plan.Desired.Type} already is {plan.Desired.Describe()}, owned by '{plan.OwnerId}'; nothing to change.");
                    output.Add((plan, changes));
                    continue;
                }
                var adopting = plan.IsOurs ? string.Empty
                    : plan.Current is null && plan.Owners.Count == 0 ? $", marked as owned by '{plan.OwnerId}'"
                    : $", taken over from {(plan.Owners.Count == 0 ? "no owner" : string.Join(" and ", plan.Owners.Select(o => o.Describe())))} by '{plan.OwnerId}'";
                var what = $"{target}: current {(plan.Current is null ? "(none)" : plan.Current.Describe())} -> new {plan.Desired.Describe()}{adopting}";
                if (ShouldProcessUnlessForced(what, $"Set DNS record {what}?", "Set-EksDnsRecord", Force))
                {
                    toSend.Add(new ChangeGroup(plan.Zone, changes, plan.OwnerId));
                    output.Add((plan, changes));
                }
            }
            if (toSend.Count > 0)
            {
                var applied = Run(ct => dns.ApplyAsync(toSend, "EksModule Set-EksDnsRecord", VerboseSink, ct));
                var sentFor = new Dictionary<RecordSet, (RecordChange Change, ChangeInfo Info)>(ReferenceEqualityComparer.Instance);
                foreach (var (_, changes, info) in applied) foreach (var c in changes) sentFor[c.Record] = (c, info);
                IReadOnlyDictionary<string, ChangeInfo> final = applied.Select(a => a.Change).DistinctBy(c => c.Id).ToDictionary(c => c.Id);
                if (!NoWait)
                    final = Run(ct => dns.WaitInSyncAsync(final.Values, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
                foreach (var (plan, changes) in output)
                {
                    if (changes.Count == 0) { WriteObject(Unchanged(plan)); continue; }
                    // A CREATE that met our own record (an earlier attempt's lost answer) went as UPSERT: report what was sent.
                    var (sent, info) = sentFor[changes[0].Record];
                    ChangeAction? action = plan.Action is null ? null : sent.Action;
                    WriteObject(new EksDnsRecord(plan.Zone, plan.Desired, action, final.GetValueOrDefault(info.Id, info), plan.Current) { Owner = plan.OwnerId, ManagedBy = "EksModule" });
                }
            }
            else
            {
                foreach (var (plan, changes) in output) if (changes.Count == 0) WriteObject(Unchanged(plan));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            if (e is ModuleOperationException or InvalidRecordInputException) ThrowTerminatingError(ToErrorRecord(e, null));
            ReportError(e, null);
        }
        finally
        {
            base.EndProcessing();
        }
    }

    private static EksDnsRecord Unchanged(PlannedRecord plan)
        => new(plan.Zone, plan.Current ?? plan.Desired, null, null, plan.Current) { Action = "None", Status = "INSYNC", Owner = plan.OwnerId, ManagedBy = "EksModule" };
}
