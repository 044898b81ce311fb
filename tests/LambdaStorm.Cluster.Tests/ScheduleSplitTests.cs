using System.Globalization;
using System.Text;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// The split property on the code the engine runs (<see cref="ShareCursor"/>): for random phase lists and N = 1..7,
/// agent k of N fires arrivals k, k+N, … and the union of every agent's arrival times is the single-node schedule,
/// with no arrival fired twice; also after a re-split among random survivors, and for closed-model copies.
/// </summary>
public sealed class ScheduleSplitTests
{
    private static LoadSchedule RandomSchedule(Random rng)
    {
        var yaml = new StringBuilder("name: split\nload:\n");
        var phases = rng.Next(1, 5);
        for (var i = 0; i < phases; i++)
        {
            var during = rng.Next(1, 8);
            var rate = Math.Round(rng.NextDouble() * 90 + 0.5, 3).ToString(CultureInfo.InvariantCulture);
            yaml.Append(rng.Next(5) switch
            {
                0 => $"  - inject: {{ rate: {rate}, during: {during}s }}\n",
                1 => $"  - ramping-inject: {{ rate: {rate}, during: {during}s }}\n",
                2 => $"  - spike: {{ rate: {rate}, during: {during}s, recover: 1s }}\n",
                3 => $"  - pause: {{ during: {during}s }}\n",
                _ => $"  - keep-constant: {{ copies: {rng.Next(1, 20)}, during: {during}s }}\n",
            });
        }

        yaml.Append(CultureInfo.InvariantCulture, $"  - inject: {{ rate: {rng.Next(1, 50)}, during: {rng.Next(1, 5)}s }}\n"); // never only pauses
        return LoadSchedule.Create(ScenarioLoader.Load(yaml.ToString()).GetOrThrow().Load);
    }

    private static List<long> Walk(ShareCursor cursor, long total)
    {
        var fired = new List<long>();
        for (var i = cursor.Next(0); i < total; i = cursor.Next(i + 1))
        {
            fired.Add(i);
        }

        return fired;
    }

    [Fact]
    public void Union_of_the_agents_shares_is_the_single_node_schedule()
    {
        var rng = new Random(4242);
        for (var trial = 0; trial < 60; trial++)
        {
            var schedule = RandomSchedule(rng);
            var single = Enumerable.Range(0, (int)schedule.TotalArrivals).Select(i => schedule.ArrivalTime(i)!.Value).ToList();
            for (var n = 1; n <= 7; n++)
            {
                var union = new List<(long Index, double At)>();
                for (var k = 0; k < n; k++)
                {
                    var mine = Walk(new ShareCursor(new ShareEpoch(0, k, n)), schedule.TotalArrivals);
                    Assert.All(mine, i => Assert.Equal(k, (int)(i % n)));
                    union.AddRange(mine.Select(i => (i, schedule.ArrivalTime(i)!.Value)));
                }

                Assert.Equal(schedule.TotalArrivals, union.Count);
                Assert.Equal(single, union.OrderBy(u => u.Index).Select(u => u.At));
            }
        }
    }

    [Fact]
    public void After_a_resplit_among_survivors_every_arrival_is_fired_once()
    {
        var rng = new Random(77);
        for (var trial = 0; trial < 60; trial++)
        {
            var schedule = RandomSchedule(rng);
            var total = schedule.TotalArrivals;
            var n = rng.Next(2, 8);
            var from = total == 0 ? 0 : rng.NextInt64(0, total);
            var survivors = Enumerable.Range(0, n).Where(_ => rng.Next(3) > 0).ToList();
            if (survivors.Count == 0)
            {
                survivors.Add(0);
            }

            var fired = new List<long>();
            for (var k = 0; k < n; k++)
            {
                var cursor = new ShareCursor(new ShareEpoch(0, k, n));
                var slot = survivors.IndexOf(k);
                cursor.Add(new ShareEpoch(from, slot, survivors.Count)); // slot -1: a lost agent fires nothing from here on
                fired.AddRange(Walk(cursor, total));
            }

            fired.Sort();
            Assert.Equal(Enumerable.Range(0, (int)total).Select(i => (long)i), fired);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1001)]
    public void Closed_model_copies_split_as_evenly_as_possible(int copies)
    {
        for (var n = 1; n <= 7; n++)
        {
            var parts = Enumerable.Range(0, n).Select(k => new ShareEpoch(0, k, n).CopiesOf(copies)).ToList();
            Assert.Equal(copies, parts.Sum());
            Assert.True(parts.Max() - parts.Min() <= 1);
        }
    }
}
