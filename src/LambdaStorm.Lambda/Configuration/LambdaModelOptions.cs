namespace LambdaStorm.Lambda;

/// <summary>
/// Everything needed to build a <see cref="LambdaModel"/>: the account, the functions that exist at the start, and the
/// random seed. Mutable; <see cref="Validate"/> returns every problem and <see cref="ToSettings"/> builds the immutable
/// <see cref="LambdaModelSettings"/> or throws <see cref="LambdaOptionsException"/> listing them all.
/// </summary>
internal sealed class LambdaModelOptions
{
    /// <summary>Account configuration. <value>Defaults to AWS's defaults in us-east-1.</value></summary>
    public AccountOptions Account { get; set; } = new();

    /// <summary>Functions that exist when the model starts. <value>Defaults to none.</value></summary>
    public List<FunctionOptions> Functions { get; set; } = [];

    /// <summary>SQS standard queues that exist when the model starts (more are added with <c>CreateQueue</c>). <value>Defaults to none.</value></summary>
    public List<QueueOptions> Queues { get; set; } = [];

    /// <summary>SQS event source mappings that exist when the model starts (queue → function). <value>Defaults to none.</value></summary>
    public List<EventSourceMappingOptions> EventSourceMappings { get; set; } = [];

    /// <summary>Seed of the model's random number generator; a run is deterministic for a seed. <value>Defaults to 1.</value></summary>
    public int Seed { get; set; } = 1;

    /// <summary>Every problem, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var account = Account ?? new AccountOptions();
        errors.AddRange(account.Validate("Account"));
        var names = new HashSet<string>(StringComparer.Ordinal);
        long reservedTotal = 0;
        long unreservedProvisioned = 0;
        foreach (var function in Functions ?? [])
        {
            if (function is null)
            {
                errors.Add("Functions: must not contain null entries");
                continue;
            }

            var path = $"Functions[{(string.IsNullOrEmpty(function.Name) ? "?" : function.Name)}]";
            errors.AddRange(function.Validate(path));
            if (!string.IsNullOrEmpty(function.Name) && !names.Add(function.Name))
            {
                errors.Add($"{path}.Name: duplicate function name");
            }

            reservedTotal += Math.Max(0, function.ReservedConcurrency ?? 0);
            if (function.ReservedConcurrency is null)
            {
                unreservedProvisioned += (function.ProvisionedConcurrency ?? []).Values.Sum(v => (long)Math.Max(0, v));
            }
        }

        errors.AddRange(ValidateQueues(Queues ?? []));
        var queueNames = (Queues ?? []).Where(q => q is not null && !string.IsNullOrEmpty(q.Name)).Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        var pairs = new HashSet<(string Queue, string Function)>();
        for (var i = 0; i < (EventSourceMappings ?? []).Count; i++)
        {
            var mapping = EventSourceMappings![i];
            var path = $"EventSourceMappings[{i}]";
            if (mapping is null)
            {
                errors.Add($"{path}: must not be null");
                continue;
            }

            errors.AddRange(mapping.Validate(path));
            if (!string.IsNullOrWhiteSpace(mapping.Function)
                && (!FunctionReference.TryParse(mapping.Function.Trim(), out var reference) || !names.Contains(reference.Name)))
            {
                errors.Add($"{path}.Function: no function named '{mapping.Function}' (known: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
            }

            var queueName = string.IsNullOrWhiteSpace(mapping.Queue) ? null : mapping.Queue.Trim().Split('/', ':')[^1];
            if (queueName is not null && !queueNames.Contains(queueName))
            {
                errors.Add($"{path}.Queue: no queue named '{mapping.Queue}' (known: {(queueNames.Count == 0 ? "none" : string.Join(", ", queueNames))})");
            }
            else if (queueName is not null && !string.IsNullOrWhiteSpace(mapping.Function) && !pairs.Add((queueName, mapping.Function.Trim())))
            {
                errors.Add($"{path}: a mapping of queue '{queueName}' to function '{mapping.Function.Trim()}' is already listed");
            }
        }

        if (errors.Count == 0)
        {
            var unreserved = account.ConcurrencyLimit - reservedTotal;
            if (unreserved < account.UnreservedMinimum)
            {
                errors.Add($"Functions: reserved concurrency totals {reservedTotal}, which leaves {unreserved} unreserved, below Account.UnreservedMinimum ({account.UnreservedMinimum})");
            }
            else if (unreservedProvisioned > unreserved - account.UnreservedMinimum)
            {
                errors.Add($"Functions: provisioned concurrency of functions without reserved concurrency totals {unreservedProvisioned}, more than the {unreserved - account.UnreservedMinimum} the unreserved pool can give while keeping {account.UnreservedMinimum} free");
            }
        }

        return errors;
    }

    /// <summary>Validates and builds the immutable settings.</summary>
    /// <exception cref="LambdaOptionsException">Listing every problem.</exception>
    public LambdaModelSettings ToSettings()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new LambdaOptionsException(errors);
        }

        return new LambdaModelSettings
        {
            Account = (Account ?? new AccountOptions()).Build(),
            Functions = [.. (Functions ?? []).Select(f => f.Build())],
            Queues = [.. (Queues ?? []).Select(q => q.Build())],
            EventSourceMappings = [.. (EventSourceMappings ?? []).Select(m => m.Build())],
            Seed = Seed,
        };
    }

    private static List<string> ValidateQueues(List<QueueOptions> queues)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var queue in queues)
        {
            if (queue is null)
            {
                errors.Add("Queues: must not contain null entries");
                continue;
            }

            var path = $"Queues[{(string.IsNullOrEmpty(queue.Name) ? "?" : queue.Name)}]";
            errors.AddRange(queue.Validate(path));
            if (!string.IsNullOrEmpty(queue.Name) && !names.Add(queue.Name))
            {
                errors.Add($"{path}.Name: duplicate queue name");
            }
        }

        foreach (var queue in queues.Where(q => q is not null && !string.IsNullOrWhiteSpace(q.DeadLetterQueue)))
        {
            var target = queue.DeadLetterQueue!;
            var targetName = target.StartsWith("arn:", StringComparison.Ordinal) ? target[(target.LastIndexOf(':') + 1)..] : target;
            if (targetName == queue.Name)
            {
                errors.Add($"Queues[{queue.Name}].DeadLetterQueue: must be another queue (was its own name)");
            }
            else if (!names.Contains(targetName))
            {
                errors.Add($"Queues[{queue.Name}].DeadLetterQueue: no queue named '{targetName}' is configured (known: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
            }
        }

        return errors;
    }
}
