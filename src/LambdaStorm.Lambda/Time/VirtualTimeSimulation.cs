using System.Text;

namespace LambdaStorm.Lambda;

/// <summary>
/// Drives a <see cref="LambdaModel"/> in virtual time: it jumps the <see cref="VirtualTimeProvider"/> from one instant to
/// the next — the earlier of the next arrival and the model's next event — so an hour of traffic runs as fast as the
/// model can process it. After the last arrival it keeps going until the model is quiescent (nothing running, no async
/// event pending) or <see cref="DrainLimit"/> has passed. Deterministic for the model's seed. Outcomes reach the
/// model's observers (e.g. <see cref="ModelStatistics"/>) and the optional callbacks here.
/// </summary>
internal sealed class VirtualTimeSimulation
{
    private readonly LambdaModel _model;
    private readonly VirtualTimeProvider _clock;
    private readonly Dictionary<string, byte[]?> _poisonPayloads = new(StringComparer.Ordinal);

    /// <summary>Creates a driver; <paramref name="clock"/> must be the model's time provider.</summary>
    public VirtualTimeSimulation(LambdaModel model, VirtualTimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clock);
        if (!ReferenceEquals(model.TimeProvider, clock))
        {
            throw new ArgumentException("The model must read time from the same VirtualTimeProvider that the simulation moves.", nameof(clock));
        }

        _model = model;
        _clock = clock;
    }

    /// <summary>How long after the last arrival to keep draining. <value>Defaults to 7 h (longer than the 6 h maximum event age).</value></summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromHours(7);

    /// <summary>Called with each sync arrival's immediate answer.</summary>
    public Action<Arrival, InvokeResponse>? OnSyncInvoked { get; init; }

    /// <summary>Called with each async arrival's immediate answer.</summary>
    public Action<Arrival, AsyncInvokeResponse>? OnAsyncInvoked { get; init; }

    /// <summary>Runs the arrivals (consumed lazily, in order) and drains the model.</summary>
    public SimulationSummary Run(IEnumerable<Arrival> arrivals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arrivals);
        var startTicks = _clock.GetUtcNow().UtcTicks;
        long offered = 0, admitted = 0, throttled = 0, accepted = 0, rejected = 0, poisonWithoutMarker = 0, events = 0, iterations = 0;
        var lastArrivalTicks = startTicks;
        bool drained;
        using var arrival = arrivals.GetEnumerator();
        var hasArrival = arrival.MoveNext();
        while (true)
        {
            if ((++iterations & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var nextEvent = _model.NextEventTicks;
            if (hasArrival)
            {
                var arrivalTicks = Math.Max(startTicks + arrival.Current.Offset.Ticks, lastArrivalTicks);
                if (nextEvent is { } due && due < arrivalTicks)
                {
                    MoveTo(due);
                    events += _model.RunDue();
                    continue;
                }

                MoveTo(arrivalTicks);
                lastArrivalTicks = arrivalTicks;
                offered++;
                var a = arrival.Current;
                var payload = a.Payload;
                if (a.Poison)
                {
                    if (PoisonPayload(a.Function) is { } poison)
                    {
                        payload = poison;
                    }
                    else
                    {
                        poisonWithoutMarker++;
                    }
                }

                if (a.Type == InvocationType.Event)
                {
                    var response = _model.InvokeAsync(a.Function, a.Qualifier, payload, a.Id);
                    if (response.IsAccepted)
                    {
                        accepted++;
                    }
                    else
                    {
                        rejected++;
                    }

                    OnAsyncInvoked?.Invoke(a, response);
                }
                else
                {
                    var response = _model.InvokeSync(a.Function, a.Qualifier, payload, a.Id);
                    switch (response.Status)
                    {
                        case InvokeStatus.Admitted:
                            admitted++;
                            break;
                        case InvokeStatus.Throttled:
                            throttled++;
                            break;
                        default:
                            rejected++;
                            break;
                    }

                    OnSyncInvoked?.Invoke(a, response);
                }

                hasArrival = arrival.MoveNext();
                continue;
            }

            if (nextEvent is null || _model.IsQuiescent)
            {
                drained = true;
                break;
            }

            if (nextEvent.Value - lastArrivalTicks > DrainLimit.Ticks)
            {
                drained = false;
                break;
            }

            MoveTo(nextEvent.Value);
            events += _model.RunDue();
        }

        return new SimulationSummary
        {
            Start = new DateTimeOffset(startTicks, TimeSpan.Zero),
            End = _clock.GetUtcNow(),
            LastArrival = new DateTimeOffset(lastArrivalTicks, TimeSpan.Zero),
            Offered = offered,
            SyncAdmitted = admitted,
            SyncThrottled = throttled,
            AsyncAccepted = accepted,
            Rejected = rejected,
            PoisonWithoutMarker = poisonWithoutMarker,
            EventsProcessed = events,
            Drained = drained,
        };
    }

    private void MoveTo(long ticks)
    {
        if (ticks > _clock.GetTimestamp())
        {
            _clock.SetTicks(ticks);
        }
    }

    // A JSON payload that contains the function's marker; cached per function.
    private byte[]? PoisonPayload(string function)
    {
        if (!_poisonPayloads.TryGetValue(function, out var payload))
        {
            var marker = _model.GetPoisonMarker(function);
            // The model matches the marker's raw bytes, so embed it verbatim: inside a JSON string when that stays
            // valid JSON, otherwise as the whole payload.
            payload = marker is null ? null
                : marker.Any(c => c is '"' or '\\' || char.IsControl(c)) ? Encoding.UTF8.GetBytes(marker)
                : Encoding.UTF8.GetBytes("{\"lambdastorm\":\"poison\",\"marker\":\"" + marker + "\"}");
            _poisonPayloads[function] = payload;
        }

        return payload;
    }
}
