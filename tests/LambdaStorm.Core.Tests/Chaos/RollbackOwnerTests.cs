using System.Diagnostics;
using System.Text.Json;
using LambdaStorm.Chaos;

namespace LambdaStorm.Tests.Chaos;

/// <summary>
/// Whose rollback journal it is: a replay leaves the journal of a run still going alone, but a process that merely got
/// the crashed run's pid later must not keep its faults applied forever.
/// </summary>
public sealed class RollbackOwnerTests
{
    [Fact]
    public void A_running_owner_is_recognised_by_pid_and_start_time_and_a_later_process_with_the_same_pid_is_not_it()
    {
        using var owner = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var started = new DateTimeOffset(owner.StartTime.ToUniversalTime(), TimeSpan.Zero);
            Assert.True(ChaosPlaneInfo.IsRunning(owner.Id, started));
            Assert.True(ChaosPlaneInfo.IsRunning(owner.Id, null)); // a journal from before start times were recorded
            Assert.False(ChaosPlaneInfo.IsRunning(owner.Id, started.AddMinutes(-10))); // the pid was reused

            owner.Kill();
            owner.WaitForExit();
            Assert.False(ChaosPlaneInfo.IsRunning(owner.Id, started));
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill();
            }
        }
    }

    [Fact]
    public void The_journal_stamps_the_writing_process_and_its_start_and_an_older_journal_without_a_start_reads_as_pid_only()
    {
        var folder = Directory.CreateTempSubdirectory("lambdastorm-owner-").FullName;
        try
        {
            var path = Path.Combine(folder, RollbackJournal.FileName);
            using (new RollbackJournal(folder, new ChaosPlaneInfo("in-process", null, null, "us-east-1", null, false)))
            {
            }

            using var doc = JsonDocument.Parse(File.ReadLines(path).First());
            var plane = doc.RootElement.GetProperty("plane").Deserialize<ChaosPlaneInfo>(RollbackJournal.Json)!;
            Assert.Equal(Environment.ProcessId, plane.Pid);
            var self = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);
            Assert.True((plane.Started!.Value - self).Duration() < TimeSpan.FromSeconds(1));
            Assert.False(plane.OwnerAlive); // the replaying process itself: its own journal is stale by definition

            var old = JsonSerializer.Deserialize<ChaosPlaneInfo>(doc.RootElement.GetProperty("plane").GetRawText().Replace("\"started\":", "\"ignored\":", StringComparison.Ordinal), RollbackJournal.Json)!;
            Assert.Null(old.Started);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
