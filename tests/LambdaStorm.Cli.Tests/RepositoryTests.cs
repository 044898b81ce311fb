using System.Diagnostics;

namespace LambdaStorm.Cli.Tests;

public sealed class RepositoryTests
{
    [Fact]
    public async Task Docker_compose_file_passes_docker_compose_config()
    {
        // No Docker engine runs here; `docker-compose config` (installed by test.sh) still parses and validates the file.
        var psi = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(CliTests.RepoRoot(), "docker-compose.yml"), "config", "-q"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.True(p.ExitCode == 0, stderr);
    }

    [Fact]
    public void Every_scenario_starts_with_a_comment_header_saying_what_it_shows()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(CliTests.RepoRoot(), "scenarios"), "*.yaml"))
        {
            var comments = File.ReadLines(file).TakeWhile(l => l.StartsWith('#')).Where(l => !l.Contains("$schema", StringComparison.Ordinal)).ToList();
            Assert.True(comments.Count >= 2, $"{Path.GetFileName(file)} needs a comment header saying what it shows");
        }
    }
}
