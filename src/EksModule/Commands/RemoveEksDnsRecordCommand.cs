using System.Management.Automation;
using EksModule.Engine.Dns;
using EksModule.Engine.Errors;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Deletes Route 53 record sets. Route 53 deletes only with the record set's exact current content, so
/// each one is read first and that content is sent; pipeline input is batched like Set-EksDnsRecord's.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "EksDnsRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveEksDnsRecordCommand : AwsCmdletBase
{
    private readonly List<(HostedZone Zone, RecordSet Key)> _wanted = new();
    private DnsRecordService? _dns;
    private DnsOwnerResolver? _owners;
    private int _invalid;

    /// <summary>A record from Get-EksDnsRecord.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "ByObject")]
    public EksDnsRecord? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName")]
    [Alias("RecordName")]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "ByName")]
    [Alias("RecordType")]
    [ArgumentCompleter(typeof(DnsRecordTypeCompleter))]
    public string Type { get; set; } = string.Empty;

    [Parameter(ParameterSetName = "ByName")]
    public string? SetIdentifier { get; set; }

    [Parameter(ParameterSetName = "ByName")]
    public string? HostedZoneId { get; set; }

    [Parameter(ParameterSetName = "ByName")]
    public string? ZoneName { get; set; }

    [Parameter(ParameterSetName = "ByName")]
    public SwitchParameter PrivateZone { get; set; }

    /// <summary>Delete records whose ownership mark holds this owner id (default: the cluster's ARN for an alias to a cluster's load balancer, else the account's ARN).</summary>
    [Parameter]
    public string? OwnerId { get; set; }

    /// <summary>Delete records even when they are not ours (no mark, or another owner's), and skip confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 600;

    protected override void ProcessRecord()
    {
        var name = InputObject?.Name ?? Name;
        try
        {
            if (OwnerId is not null) DnsOwnership.ValidateOwnerId(OwnerId);
            _dns ??= new DnsRecordService(Session);
            var dns = _dns;
            if (InputObject is { } input)
            {
                var zone = Run(ct => dns.ResolveZoneAsync(input.Name, input.HostedZoneId, null, input.PrivateZone, ct));
                _wanted.Add((zone, new RecordSet(input.Name, input.Type, null, Array.Empty<string>(), null, input.SetIdentifier)));
            }
            else
            {
                var recordName = RecordValidation.Name(Name);
                var type = RecordValidation.Type(Type);
                var zone = Run(ct => dns.ResolveZoneAsync(recordName, HostedZoneId, ZoneName, PrivateZone, ct));
                _wanted.Add((zone, new RecordSet(recordName, type, null, Array.Empty<string>(), null, SetIdentifier)));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            _invalid++;
            if (e is InvalidRecordInputException) WriteError(ToErrorRecord(e, name));
            else ReportError(e, name);
        }
    }

    protected override void EndProcessing()
    {
        try
        {
            if (_invalid > 0 && _wanted.Count > 0)
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("Some records were invalid."), "NothingSent", ErrorCategory.InvalidData, null)
                {
                    ErrorDetails = new ErrorDetails($"{_invalid} of {_invalid + _wanted.Count} record(s) could not be used (see the errors above), so nothing was deleted."),
                });
            if (_wanted.Count == 0 || _dns is null) return;
            var dns = _dns;
            var owners = _owners ??= new DnsOwnerResolver(Session);
            var ownerId = OwnerId?.Trim();
            var deletes = new List<ChangeGroup>();
            foreach (var group in _wanted.GroupBy(w => w.Zone.ShortId))
            {
                var zone = group.First().Zone;
                var plans = Run(ct => dns.PlanRemovalAsync(zone, group.Select(g => g.Key).ToList(),
                    (record, token) => ownerId is { Length: > 0 } ? Task.FromResult(ownerId) : owners.ForRecordAsync(record, token), Force, ct))
                    .ToDictionary(p => p.Current.Key, StringComparer.Ordinal);
                // A mark named on its own goes with its record when that is deleted too.
                var marks = plans.Values.Where(p => !p.Refused && p.CurrentMark is not null).Select(p => p.CurrentMark!.Key).ToHashSet(StringComparer.Ordinal);
                foreach (var (_, key) in group.DistinctBy(g => g.Key.Key))
                {
                    if (!plans.TryGetValue(key.Key, out var plan))
                    {
                        WriteError(ToErrorRecord(new ModuleOperationException("NoSuchRecord", "ObjectNotFound",
                            $"There is no {key.Type} record {key.Name.TrimEnd('.')} in zone {zone.Name.TrimEnd('.')} ({zone.ShortId}); nothing to delete."), key.Name));
                        continue;
                    }
                    if (marks.Contains(key.Key)) continue;
                    if (plan.Refused)
                    {
                        WriteError(new ErrorRecord(new InvalidOperationException($"{key.Name.TrimEnd('.')} {key.Type} is not owned by '{plan.OwnerId}'."), "RecordNotOwned", ErrorCategory.PermissionDenied, key.Name)
                        {
                            ErrorDetails = new ErrorDetails(DnsRecordService.ForeignMessage(zone, plan.Current, plan.Current, plan.Owners, plan.OwnerId, removing: true)),
                        });
                        continue;
                    }
                    var what = $"{key.Name.TrimEnd('.')} {key.Type} in zone {zone.Name.TrimEnd('.')} ({zone.ShortId}): {plan.Current.Describe()}" +
                        (plan.CurrentMark is null ? string.Empty : $", with its ownership mark {plan.CurrentMark.Name.TrimEnd('.')}");
                    if (ShouldProcessUnlessForced(what, $"Delete DNS record {what}?", "Remove-EksDnsRecord", Force))
                        deletes.Add(new ChangeGroup(zone, plan.Changes, plan.OwnerId));
                }
            }
            if (deletes.Count == 0) return;
            var applied = Run(ct => dns.ApplyAsync(deletes, "EksModule Remove-EksDnsRecord", VerboseSink, ct));
            if (!NoWait) Run(ct => dns.WaitInSyncAsync(applied.Select(a => a.Change), TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, null);
        }
        finally
        {
            base.EndProcessing();
        }
    }
}
