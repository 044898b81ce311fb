using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LambdaStorm.Chaos;

/// <summary>How to undo one applied chaos action; data, so that a later process can replay it.</summary>
/// <param name="Action">The action's label.</param>
/// <param name="Op"><c>reserved</c>, <c>provisioned</c>, <c>remove-variables</c> or <c>visibility</c>.</param>
/// <param name="Target">Function or queue.</param>
/// <param name="Qualifier">For <c>provisioned</c>: the version or alias.</param>
/// <param name="Value">The value to restore; null means "none" (DeleteFunctionConcurrency, DeleteProvisionedConcurrencyConfig).</param>
/// <param name="Variables">For <c>remove-variables</c>: the fault variables to remove.</param>
/// <param name="Previous">
/// For <c>remove-variables</c>: the values some of those variables had before the action (read from the function's
/// environment first), put back instead of removed; null when none was set.
/// </param>
public sealed record ChaosUndo(string Action, string Op, string Target, string? Qualifier = null, int? Value = null, IReadOnlyList<string>? Variables = null, IReadOnlyDictionary<string, string>? Previous = null)
{
    /// <summary>Undoes the action through <paramref name="plane"/>; idempotent, so a replay after a partial rollback is safe.</summary>
    internal async Task ApplyAsync(IChaosControlPlane plane, CancellationToken ct)
    {
        switch (Op)
        {
            case "reserved":
                await plane.SetReservedConcurrencyAsync(Target, Value, ct).ConfigureAwait(false);
                break;
            case "provisioned":
                if (Value is null && await plane.GetProvisionedConcurrencyAsync(Target, Qualifier!, ct).ConfigureAwait(false) is null)
                {
                    break;
                }

                await plane.SetProvisionedConcurrencyAsync(Target, Qualifier!, Value, ct).ConfigureAwait(false);
                break;
            case "remove-variables":
            {
                // Only the fault variables go back to what they were: the rest of the environment is read now, so a
                // change someone made to it meanwhile is kept.
                var env = (await plane.GetEnvironmentAsync(Target, ct).ConfigureAwait(false)).ToDictionary(StringComparer.Ordinal);
                var restored = new Dictionary<string, string>(env, StringComparer.Ordinal);
                foreach (var v in Variables ?? [])
                {
                    if (Previous is not null && Previous.TryGetValue(v, out var before))
                    {
                        restored[v] = before;
                    }
                    else
                    {
                        restored.Remove(v);
                    }
                }

                if (restored.Count != env.Count || restored.Any(kv => !env.TryGetValue(kv.Key, out var now) || now != kv.Value))
                {
                    await plane.SetEnvironmentAsync(Target, restored, ct).ConfigureAwait(false);
                }

                break;
            }

            case "visibility":
                await plane.SetVisibilityTimeoutAsync(Target, Value ?? 30, ct).ConfigureAwait(false);
                break;
            default:
                throw new ChaosControlPlaneException($"unknown undo operation '{Op}'");
        }
    }

    /// <summary>For people: what the undo restores.</summary>
    public string Describe => Op switch
    {
        "reserved" => Value is { } v ? $"reserved concurrency of {Target} back to {v}" : $"reserved concurrency of {Target} removed",
        "provisioned" => Value is { } p ? $"provisioned concurrency of {Target}:{Qualifier} back to {p}" : $"provisioned concurrency of {Target}:{Qualifier} removed",
        "remove-variables" => Previous is { Count: > 0 }
            ? $"{string.Join(", ", Variables ?? [])} of {Target} back to what they were ({string.Join(", ", Previous.Select(kv => $"{kv.Key}={kv.Value}"))} restored, the rest removed)"
            : $"{string.Join(", ", Variables ?? [])} removed from {Target}",
        "visibility" => $"visibility timeout of {Target} back to {Value} s",
        _ => Op,
    };
}

/// <summary>Where a rollback journal's actions were applied, so that a later process can reach it (never credentials).</summary>
/// <param name="Kind"><c>http</c> (an emulator endpoint or AWS: replayable) or <c>in-process</c> (the model died with the run).</param>
/// <param name="LambdaEndpoint">Lambda's endpoint, for <c>http</c>.</param>
/// <param name="SqsEndpoint">SQS's endpoint, or null for AWS's regional one.</param>
/// <param name="Region">Signing region.</param>
/// <param name="Profile">The AWS profile the run used, or null for the default chain (or the emulator's static credentials).</param>
/// <param name="Aws">True for an aws target (credentials from the standard chain).</param>
public sealed record ChaosPlaneInfo(string Kind, string? LambdaEndpoint, string? SqsEndpoint, string Region, string? Profile, bool Aws)
{
    /// <summary>The process that applies the actions; a replay leaves the journal of a live process alone.</summary>
    public int Pid { get; init; } = Environment.ProcessId;

    /// <summary>
    /// When that process started (UTC), so that another process that later got the same pid is not taken for it. The
    /// journal stamps it when written; null in journals written before it was recorded (then the pid alone decides).
    /// </summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When this process started (UTC), or null where that cannot be read.</summary>
    internal static DateTimeOffset? ThisProcessStarted { get; } = StartOf(Environment.ProcessId);

    /// <summary>True when the process that wrote the journal is still running (its run is not over, nothing to replay yet).</summary>
    public bool OwnerAlive => Pid != Environment.ProcessId && IsRunning(Pid, Started);

    /// <summary>
    /// True when process <paramref name="pid"/> runs and, given <paramref name="started"/>, is the one that started then
    /// (start times are read at clock-tick precision, hence the second of slack).
    /// </summary>
    internal static bool IsRunning(int pid, DateTimeOffset? started)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            if (p.HasExited)
            {
                return false;
            }

            return started is not { } s || StartOf(p) is not { } actual || (actual - s).Duration() < TimeSpan.FromSeconds(1);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static DateTimeOffset? StartOf(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return StartOf(p);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static DateTimeOffset? StartOf(System.Diagnostics.Process p)
    {
        try
        {
            return new DateTimeOffset(p.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null; // not readable here: the pid alone decides
        }
    }
}

/// <summary>
/// <c>rollback.jsonl</c> in the results folder: where the actions were applied, then one <c>applied</c> line (with its
/// undo) before every control-plane change and one <c>undone</c> line after its revert, flushed at once, and a
/// <c>complete</c> line when everything was rolled back. After a crash (SIGKILL, power loss) the next <c>lambdastorm</c>
/// start, or <c>lambdastorm rollback DIR</c>, replays what was applied and not undone. Part of internal API.
/// </summary>
internal sealed class RollbackJournal : IDisposable
{
    /// <summary>The file name inside a results folder.</summary>
    public const string FileName = "rollback.jsonl";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<RollbackJournal, byte> Open = new();

    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    /// <summary>
    /// Creates the journal in <paramref name="folder"/> and writes where the actions will be applied. A journal whose
    /// actions outlive the process (<c>http</c>: a running emulator or AWS) is registered in the per-user state folder
    /// (<see cref="RollbackRegistry"/>), so that the next start replays it wherever the results folder is.
    /// </summary>
    public RollbackJournal(string folder, ChaosPlaneInfo plane)
    {
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, FileName));
        _stream = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Write(new { type = "plane", plane = plane with { Pid = Environment.ProcessId, Started = ChaosPlaneInfo.ThisProcessStarted } });
        RegistrationError = plane.Kind == "http" ? RollbackRegistry.Register(Path) : null;
        Open[this] = 0;
    }

    /// <summary>
    /// The journals of this process that still have changes to undo (applied and not complete), for people: what a
    /// second Ctrl-C would leave behind if the process quit now.
    /// </summary>
    public static IReadOnlyList<string> Pending => [.. Open.Keys.Where(j => j.HasPending).Select(j => j.Path)];

    private int _applied;
    private int _undone;
    private bool _complete;

    /// <summary>True when some change was journaled and not yet undone.</summary>
    private bool HasPending => !Volatile.Read(ref _complete) && Volatile.Read(ref _applied) > Volatile.Read(ref _undone);

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Why the journal could not be registered in the state folder, or null (registered, or nothing to register).</summary>
    public string? RegistrationError { get; }

    /// <summary>Journals an undo before its action is applied.</summary>
    public void Applied(ChaosUndo undo)
    {
        Write(new { type = "applied", undo });
        Interlocked.Increment(ref _applied);
    }

    /// <summary>Journals that an action was undone.</summary>
    public void Undone(string action)
    {
        Write(new { type = "undone", action });
        Interlocked.Increment(ref _undone);
    }

    /// <summary>Journals that everything was rolled back, and takes the journal off the state folder's list.</summary>
    public void Complete()
    {
        Write(new { type = "complete" });
        Volatile.Write(ref _complete, true);
        RollbackRegistry.Unregister(Path);
    }

    public void Dispose()
    {
        Open.TryRemove(this, out _);
        _stream.Dispose();
    }

    private void Write(object line)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, Json) + "\n");
        lock (_lock)
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>A rollback journal read back: where, what is still to undo (newest first), and whether it is complete.</summary>
    /// <param name="Plane">Where the actions were applied.</param>
    /// <param name="Pending">Undos not yet done, newest first.</param>
    /// <param name="Complete">True when the run (or a replay) rolled everything back.</param>
    public sealed record Contents(ChaosPlaneInfo Plane, ImmutableArray<ChaosUndo> Pending, bool Complete);

    /// <summary>Reads a rollback journal; a torn last line (a crash mid-write) is ignored.</summary>
    public static Contents Read(string path)
    {
        ChaosPlaneInfo? plane = null;
        var applied = new List<ChaosUndo>();
        var undone = new HashSet<string>(StringComparer.Ordinal);
        var complete = false;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }

            using (doc)
            {
                var root = doc.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "plane":
                        plane = root.GetProperty("plane").Deserialize<ChaosPlaneInfo>(Json);
                        break;
                    case "applied":
                        applied.Add(root.GetProperty("undo").Deserialize<ChaosUndo>(Json)!);
                        break;
                    case "undone":
                        undone.Add(root.GetProperty("action").GetString()!);
                        break;
                    case "complete":
                        complete = true;
                        break;
                }
            }
        }

        if (plane is null)
        {
            throw new InvalidDataException($"{path} does not say where its actions were applied (no 'plane' line)");
        }

        var pending = applied.Where(u => !undone.Contains(u.Action)).Reverse().ToImmutableArray();
        return new Contents(plane, pending, complete || pending.IsEmpty);
    }

    /// <summary>Appends a line to an existing journal (a replay marking what it undid).</summary>
    public static void Append(string path, object line)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, Json) + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}

/// <summary>
/// The per-user list of rollback journals whose actions outlive their process (a running emulator, AWS): one small file
/// per journal under <c>$LAMBDASTORM_STATE_DIR</c>, else <c>$XDG_STATE_HOME/lambdastorm</c>, else
/// <c>~/.local/state/lambdastorm</c>, in <c>rollback/</c>, holding the journal's full path. A run registers its journal
/// before the first change and removes the entry when everything is rolled back; every <c>lambdastorm</c> start replays
/// the registered journals whose process is gone, so a run killed with <c>--results</c> outside <c>./results</c> is
/// rolled back too. Part of internal API.
/// </summary>
internal static class RollbackRegistry
{
    /// <summary>Environment variable that moves the state folder (tests point it at a temporary folder).</summary>
    public const string StateDirVariable = "LAMBDASTORM_STATE_DIR";

    /// <summary>The state folder: <c>$LAMBDASTORM_STATE_DIR</c>, <c>$XDG_STATE_HOME/lambdastorm</c> or <c>~/.local/state/lambdastorm</c>.</summary>
    public static string StateFolder
    {
        get
        {
            if (Environment.GetEnvironmentVariable(StateDirVariable) is { Length: > 0 } dir)
            {
                return dir;
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            return System.IO.Path.Combine(
                xdg is { Length: > 0 } && System.IO.Path.IsPathRooted(xdg) ? xdg : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"),
                "lambdastorm");
        }
    }

    /// <summary>Where the entries are.</summary>
    public static string Folder => System.IO.Path.Combine(StateFolder, "rollback");

    /// <summary>Registers a journal; returns null, or why it could not (the run goes on: <c>lambdastorm rollback DIR</c> still works).</summary>
    public static string? Register(string journal)
    {
        try
        {
            Directory.CreateDirectory(Folder);
            var entry = EntryOf(journal);
            File.WriteAllText(entry + ".tmp", journal + "\n");
            File.Move(entry + ".tmp", entry, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot register {journal} in {Folder} ({ex.Message}); after a crash run 'lambdastorm rollback {System.IO.Path.GetDirectoryName(journal)}'";
        }
    }

    /// <summary>Removes a journal's entry (it is complete, or gone).</summary>
    public static void Unregister(string journal)
    {
        try
        {
            File.Delete(EntryOf(System.IO.Path.GetFullPath(journal)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The registered journals' paths.</summary>
    public static IReadOnlyList<string> Journals()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var list = new List<string>();
        foreach (var entry in Directory.EnumerateFiles(Folder, "*.path"))
        {
            try
            {
                if (File.ReadAllText(entry).Trim() is { Length: > 0 } path)
                {
                    list.Add(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return list;
    }

    private static string EntryOf(string journal)
        => System.IO.Path.Combine(Folder, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(journal)))[..32] + ".path");
}
