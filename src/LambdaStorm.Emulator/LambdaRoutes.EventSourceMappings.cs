using System.Globalization;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LambdaStorm.Emulator;

/// <summary>
/// SQS event source mappings on AWS's REST paths: <c>CreateEventSourceMapping</c> (202), <c>GetEventSourceMapping</c>,
/// <c>ListEventSourceMappings</c> (<c>FunctionName</c>, <c>EventSourceArn</c>, <c>Marker</c>, <c>MaxItems</c>),
/// <c>UpdateEventSourceMapping</c> (202) and <c>DeleteEventSourceMapping</c> (202), with AWS's request validation and
/// <c>EventSourceMappingConfiguration</c> shape; the pollers are the model's (docs/lambda-model.md).
/// </summary>
internal sealed partial class LambdaRoutes
{
    private const string EventSourceMappings = "/2015-03-31/event-source-mappings";
    private const string ReportBatchItemFailures = "ReportBatchItemFailures";

    /// <summary>Members of the request that only stream, Kafka, MQ or DocumentDB sources use, or that the emulator does not model.</summary>
    private static readonly string[] UnmodelledMappingMembers =
    [
        "FilterCriteria", "DestinationConfig", "StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor",
        "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds",
        "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "ProvisionedPollerConfig",
        "DocumentDBEventSourceConfig", "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig",
        "KMSKeyArn", "MetricsConfig",
    ];

    private void MapEventSourceMappings(IEndpointRouteBuilder app)
    {
        app.MapPost(EventSourceMappings, CreateEventSourceMapping);
        app.MapGet(EventSourceMappings, ListEventSourceMappings);
        app.MapGet(EventSourceMappings + "/{UUID}", GetEventSourceMapping);
        app.MapPut(EventSourceMappings + "/{UUID}", UpdateEventSourceMapping);
        app.MapDelete(EventSourceMappings + "/{UUID}", DeleteEventSourceMapping);
    }

    private async Task CreateEventSourceMapping(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var source = body.String("EventSourceArn");
        var function = body.String("FunctionName");
        var fields = MappingFields.Read(ref body);
        var error = body.Error
            ?? (function is null ? AwsError.Validation("null", "functionName", "Member must not be null") : null)
            ?? CheckEventSourceArn(source)
            ?? fields.Check(body, current: null);
        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        var options = new EventSourceMappingOptions { Queue = source!, Function = function! };
        fields.ApplyTo(options);
        await Reply(ctx, _model.CreateEventSourceMapping(options), StatusCodes.Status202Accepted, WriteMapping);
    }

    private async Task GetEventSourceMapping(HttpContext ctx) =>
        await Reply(ctx, _model.GetEventSourceMapping(RouteValue(ctx, "UUID")), StatusCodes.Status200OK, WriteMapping);

    private Task ListEventSourceMappings(HttpContext ctx) =>
        ListPageAsync(ctx, 100, () => _model.ListEventSourceMappings(Query(ctx, "FunctionName"), Query(ctx, "EventSourceArn")), m => m.Uuid, "EventSourceMappings", WriteMapping);

    private async Task UpdateEventSourceMapping(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var uuid = RouteValue(ctx, "UUID");
        var function = body.String("FunctionName");
        var fields = MappingFields.Read(ref body);
        if (body.Error is { } typeError)
        {
            await typeError.WriteAsync(ctx);
            return;
        }

        var current = _model.GetEventSourceMapping(uuid);
        if (!current.IsSuccess)
        {
            await AwsError.From(current.Error).WriteAsync(ctx);
            return;
        }

        if (fields.Check(body, current.Value.Settings) is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        var result = _model.UpdateEventSourceMapping(uuid, o =>
        {
            if (function is not null)
            {
                o.Function = function;
            }

            fields.ApplyTo(o);
        });
        await Reply(ctx, result, StatusCodes.Status202Accepted, WriteMapping);
    }

    private async Task DeleteEventSourceMapping(HttpContext ctx) =>
        await Reply(ctx, _model.DeleteEventSourceMapping(RouteValue(ctx, "UUID")), StatusCodes.Status202Accepted, WriteMapping);

    private static AwsError? CheckEventSourceArn(string? arn)
    {
        if (arn is null)
        {
            return AwsError.Validation("null", "eventSourceArn", "Member must not be null");
        }

        var parts = arn.Split(':');
        if (parts.Length < 6 || parts[0] != "arn")
        {
            return AwsError.Validation(arn, "eventSourceArn",
                "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)");
        }

        return parts[2] == "sqs"
            ? null
            : AwsError.InvalidParameter($"The LambdaStorm emulator models SQS event sources only (was {arn}).");
    }

    /// <summary>The <c>EventSourceMappingConfiguration</c> shape [S8].</summary>
    private void WriteMapping(Utf8JsonWriter w, EventSourceMappingConfiguration m)
    {
        var s = m.Settings;
        var account = _model.Account;
        w.WriteStartObject();
        w.WriteString("UUID", m.Uuid);
        w.WriteNumber("BatchSize", s.BatchSize);
        w.WriteNumber("MaximumBatchingWindowInSeconds", (int)s.MaximumBatchingWindow.TotalSeconds);
        w.WriteString("EventSourceArn", m.EventSourceArn);
        w.WriteString("FunctionArn", m.FunctionArn);
        w.WriteNumber("LastModified", Math.Round(m.LastModified.ToUnixTimeMilliseconds() / 1000.0, 3));
        w.WriteString("State", m.State);
        w.WriteString("StateTransitionReason", m.StateTransitionReason);
        w.WriteStartArray("FunctionResponseTypes");
        if (s.ReportBatchItemFailures)
        {
            w.WriteStringValue(ReportBatchItemFailures);
        }

        w.WriteEndArray();
        if (s.MaximumConcurrency is { } maximum)
        {
            w.WriteStartObject("ScalingConfig");
            w.WriteNumber("MaximumConcurrency", maximum);
            w.WriteEndObject();
        }

        w.WriteString("EventSourceMappingArn", $"arn:aws:lambda:{account.Region}:{account.AccountId}:event-source-mapping:{m.Uuid}");
        w.WriteEndObject();
    }

    /// <summary>The batching members shared by Create and Update (null: not given).</summary>
    private readonly record struct MappingFields(
        bool? Enabled, int? BatchSize, int? Window, bool ScalingConfigGiven, int? MaximumConcurrency, List<string>? ResponseTypes)
    {
        public static MappingFields Read(ref RequestBody body) => new(
            body.Bool("Enabled"),
            body.Int("BatchSize"),
            body.Int("MaximumBatchingWindowInSeconds"),
            body.Has("ScalingConfig"),
            body.Int("ScalingConfig", "MaximumConcurrency"),
            body.StringList("FunctionResponseTypes"));

        /// <summary>AWS's validation, in its order; <paramref name="current"/> is the mapping being updated.</summary>
        public AwsError? Check(RequestBody body, EventSourceMappingSettings? current)
        {
            var range = CheckRange(BatchSize, "batchSize", 1, EventSourceMappingOptions.MaxBatchSize)
                ?? CheckRange(Window, "maximumBatchingWindowInSeconds", 0, 300)
                ?? CheckRange(MaximumConcurrency, "scalingConfig.maximumConcurrency", 2, 1000);
            if (range is not null)
            {
                return range;
            }

            if (ResponseTypes?.FirstOrDefault(t => t != ReportBatchItemFailures) is { } badType)
            {
                return AwsError.Validation($"[{badType}]", "functionResponseTypes", "Member must satisfy enum value set: [ReportBatchItemFailures]");
            }

            if (UnmodelledMappingMembers.FirstOrDefault(body.Has) is { } member)
            {
                return AwsError.InvalidParameter($"{member} is not supported for SQS event sources by the LambdaStorm emulator.");
            }

            var batchSize = BatchSize ?? current?.BatchSize ?? 10;
            var window = Window ?? (int)(current?.MaximumBatchingWindow.TotalSeconds ?? 0);
            return batchSize > EventSourceMappingOptions.MaxBatchSizeWithoutWindow && window < 1
                ? AwsError.InvalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
                : null;
        }

        /// <summary>Copies the given members onto options (an empty <c>ScalingConfig</c> clears the cap; an empty list clears the response types).</summary>
        public void ApplyTo(EventSourceMappingOptions o)
        {
            if (Enabled is { } enabled)
            {
                o.Enabled = enabled;
            }

            if (BatchSize is { } batchSize)
            {
                o.BatchSize = batchSize;
            }

            if (Window is { } window)
            {
                o.MaximumBatchingWindow = TimeSpan.FromSeconds(window);
            }

            if (ScalingConfigGiven)
            {
                o.MaximumConcurrency = MaximumConcurrency;
            }

            if (ResponseTypes is { } types)
            {
                o.ReportBatchItemFailures = types.Contains(ReportBatchItemFailures);
            }
        }
    }
}
