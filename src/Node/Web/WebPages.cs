namespace EventSwarm.Node.Web;

/// <summary>The web view's pages (GET only), mapped by <see cref="WebView"/> inside its signed-in route group.</summary>
public static class WebPages
{
    public static void AddServices(IServiceCollection services)
    {
    }

    public static void Map(RouteGroupBuilder pages)
    {
    }
}
