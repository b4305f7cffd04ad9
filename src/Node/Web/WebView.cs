using EventSwarm.Node.Local;

namespace EventSwarm.Node.Web;

/// <summary>
/// The web view a manager serves at <c>--web-addr</c> (default 127.0.0.1:2380): its listener, its own pipeline
/// (no node certificates, no Engine API), sign-in, the pages of <see cref="WebPages"/> and the operator's actions.
/// </summary>
public static class WebView
{
    public static void AddServices(IServiceCollection services, AgentOptions options) => WebPages.AddServices(services);

    public static void Map(WebApplication app, AgentOptions options)
    {
    }
}
