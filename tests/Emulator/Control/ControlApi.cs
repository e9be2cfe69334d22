using EksEmulator.Eks;
using EksEmulator.FrontDoor;
using EksEmulator.Iam;
using EksEmulator.Moto;

namespace EksEmulator.Control;

public sealed record FaultRequest(string? Service, string? Operation, string? Kind, int? Count);

public sealed record UpdateFailureRequest(string? UpdateType, string? Resource, int? Count, string? ErrorCode, string? Message);

public sealed record TimingRequest(double? CreateSeconds, double? DeleteSeconds, double? UpdateSeconds);

/// <summary>The tests' side door under /_emulator: request log, faults, reset and timings. Its own calls are never logged.</summary>
public static class ControlApi
{
    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup(FrontDoorMiddleware.ControlPrefix);

        control.MapGet("/requests", (RequestLog log) => Results.Json(log.Snapshot(), EksJson.Options));
        control.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return Results.NoContent();
        });

        control.MapPost("/faults", (FaultRequest request, FaultInjector faults) =>
        {
            if (string.IsNullOrEmpty(request.Service)) return Results.BadRequest(new { message = "service is required." });
            FaultKind? kind = request.Kind?.ToLowerInvariant() switch
            {
                "throttle" => FaultKind.Throttle,
                "http500" => FaultKind.Http500,
                "drop" => FaultKind.Drop,
                _ => null,
            };
            if (kind is null) return Results.BadRequest(new { message = "kind must be throttle, http500 or drop." });
            var count = request.Count ?? 1;
            if (count < 1) return Results.BadRequest(new { message = "count must be at least 1." });
            faults.Add(new Fault(request.Service, string.IsNullOrEmpty(request.Operation) ? null : request.Operation, kind.Value, count));
            return Results.NoContent();
        });
        control.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });

        // The next updates of a type (and resource) end Failed, as an upgrade can fail in EKS after it was accepted.
        control.MapPost("/update-failures", (UpdateFailureRequest request, UpdateFailureInjector failures) =>
        {
            if (string.IsNullOrEmpty(request.UpdateType)) return Results.BadRequest(new { message = "updateType is required (VersionUpdate, AddonUpdate, ...)." });
            if (request.Count is < 1) return Results.BadRequest(new { message = "count must be at least 1." });
            failures.Add(request.UpdateType, string.IsNullOrEmpty(request.Resource) ? null : request.Resource, request.Count ?? 1, request.ErrorCode, request.Message);
            return Results.NoContent();
        });

        control.MapPost("/reset", async (EksStore store, RequestLog log, FaultInjector faults, UpdateFailureInjector updateFailures, MotoClient moto, AwsCredentialBook credentials,
            CloudTrail.EventHistory history, CancellationToken cancel) =>
        {
            faults.Clear();
            updateFailures.Clear();
            credentials.Clear();
            history.Clear();
            await store.ClearAsync();
            await moto.ResetAsync(cancel);
            log.Clear();
            return Results.NoContent();
        });

        control.MapPost("/config", (TimingRequest request, LifecycleTimings timings) =>
        {
            try
            {
                timings.Set(Seconds(request.CreateSeconds), Seconds(request.DeleteSeconds), Seconds(request.UpdateSeconds));
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Results.BadRequest(new { message = e.Message });
            }

            return Results.Json(new
            {
                createSeconds = timings.Create.TotalSeconds,
                deleteSeconds = timings.Delete.TotalSeconds,
                updateSeconds = timings.Update.TotalSeconds,
            });
        });
    }

    private static TimeSpan? Seconds(double? value) => value is null ? null : TimeSpan.FromSeconds(value.Value);
}
