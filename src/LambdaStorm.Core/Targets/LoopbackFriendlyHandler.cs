using System.Net;

namespace LambdaStorm.Targets;

/// <summary>The socket handler every HTTP path uses: one pool sized to the in-flight cap, no proxy, no cookies. Part of internal API.</summary>
internal static class LoopbackFriendlyHandler
{
    public static SocketsHttpHandler Create(int maxConnections) => new()
    {
        MaxConnectionsPerServer = Math.Max(1, maxConnections),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
