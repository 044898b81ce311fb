using System.Text;

namespace LambdaStorm.Lambda.Tests;

/// <summary>A model on a virtual clock with a recording observer, plus helpers to move time.</summary>
internal sealed class TestModel
{
    private TestModel(LambdaModel model, VirtualTimeProvider clock, RecordingObserver recorder, CollectingSink sink)
    {
        Model = model;
        Clock = clock;
        Events = recorder;
        Sink = sink;
    }

    public LambdaModel Model { get; }

    public VirtualTimeProvider Clock { get; }

    public RecordingObserver Events { get; }

    public CollectingSink Sink { get; }

    public DateTimeOffset Start { get; } = VirtualTimeProvider.DefaultStart;

    public TimeSpan Elapsed => Clock.GetUtcNow() - Start;

    /// <summary>A model with one function named <c>fn</c> configured by <paramref name="function"/>.</summary>
    public static TestModel WithFunction(Action<FunctionOptions>? function = null, Action<AccountOptions>? account = null, int seed = 7)
    {
        return Create(o =>
        {
            var f = new FunctionOptions { Name = "fn" };
            function?.Invoke(f);
            o.Functions.Add(f);
            account?.Invoke(o.Account);
        }, seed);
    }

    public static TestModel Create(Action<LambdaModelOptions> configure, int seed = 7)
    {
        var options = new LambdaModelOptions { Seed = seed };
        configure(options);
        var clock = new VirtualTimeProvider();
        var sink = new CollectingSink();
        var model = LambdaModel.Create(options, clock, sink);
        var recorder = new RecordingObserver();
        model.AddObserver(recorder);
        return new TestModel(model, clock, recorder, sink);
    }

    /// <summary>Moves the clock forward and processes every event due by then (each at its own due time).</summary>
    public void Advance(TimeSpan delta)
    {
        Clock.Advance(delta);
        Model.RunDue();
    }

    /// <summary>Moves the clock to an offset from the start.</summary>
    public void AdvanceTo(TimeSpan offset) => Advance(offset - Elapsed);

    public InvokeResponse Invoke(string function = "fn", string? qualifier = null, string payload = "{}") =>
        Model.InvokeSync(function, qualifier, payload);

    public AsyncInvokeResponse InvokeAsync(string function = "fn", string? qualifier = null, string payload = "{\"id\":1}") =>
        Model.InvokeAsync(function, qualifier, payload);

    /// <summary>Sends <paramref name="count"/> sync invocations now; returns (admitted, throttled responses).</summary>
    public (List<InvokeResponse> Admitted, List<InvokeResponse> Throttled) Burst(int count, string function = "fn", string? qualifier = null)
    {
        var admitted = new List<InvokeResponse>();
        var throttled = new List<InvokeResponse>();
        for (var i = 0; i < count; i++)
        {
            var r = Invoke(function, qualifier);
            (r.IsAdmitted ? admitted : throttled).Add(r);
        }

        return (admitted, throttled);
    }

    public FunctionSnapshot Function(string name = "fn") => Model.GetSnapshot().Functions.Single(f => f.Name == name);
}

/// <summary>Records every observer event.</summary>
internal sealed class RecordingObserver : ILambdaModelObserver
{
    public List<InvocationAdmitted> Admitted { get; } = [];

    public List<InvocationThrottled> Throttled { get; } = [];

    public List<InvocationRejected> Rejected { get; } = [];

    public List<ColdStartObserved> ColdStarts { get; } = [];

    public List<ExecutionResult> Completed { get; } = [];

    public List<AsyncEventQueued> Queued { get; } = [];

    public List<AsyncEventRetryScheduled> Retries { get; } = [];

    public List<AsyncEventFinished> Finished { get; } = [];

    public List<(DestinationDelivery Delivery, bool Delivered)> Deliveries { get; } = [];

    public List<EnvironmentCreated> Created { get; } = [];

    public List<EnvironmentDestroyed> Destroyed { get; } = [];

    public List<ConcurrencyChanged> Concurrency { get; } = [];

    public void OnInvocationAdmitted(in InvocationAdmitted e) => Admitted.Add(e);

    public void OnThrottled(in InvocationThrottled e) => Throttled.Add(e);

    public void OnRejected(in InvocationRejected e) => Rejected.Add(e);

    public void OnColdStart(in ColdStartObserved e) => ColdStarts.Add(e);

    public void OnInvocationCompleted(ExecutionResult result) => Completed.Add(result);

    public void OnAsyncEventQueued(in AsyncEventQueued e) => Queued.Add(e);

    public void OnAsyncEventRetryScheduled(in AsyncEventRetryScheduled e) => Retries.Add(e);

    public void OnAsyncEventFinished(in AsyncEventFinished e) => Finished.Add(e);

    public void OnDestinationDelivered(DestinationDelivery delivery, bool delivered) => Deliveries.Add((delivery, delivered));

    public void OnEnvironmentCreated(in EnvironmentCreated e) => Created.Add(e);

    public void OnEnvironmentDestroyed(in EnvironmentDestroyed e) => Destroyed.Add(e);

    public void OnConcurrencyChanged(in ConcurrencyChanged e) => Concurrency.Add(e);
}

/// <summary>A destination sink that accepts ARNs starting with <c>arn:aws:sqs:</c> and keeps what it got.</summary>
internal sealed class CollectingSink : IDestinationSink
{
    public List<DestinationDelivery> Received { get; } = [];

    public bool TryDeliver(DestinationDelivery delivery)
    {
        if (!delivery.TargetArn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal))
        {
            return false;
        }

        Received.Add(delivery);
        return true;
    }
}

internal static class Bytes
{
    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
