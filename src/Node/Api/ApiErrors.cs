using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Domain;
using EventSwarm.Node.Api.Engine;

namespace EventSwarm.Node.Api;

/// <summary>
/// Turns every refusal into Docker's error shape, <c>{"message": "…"}</c>, with the matching status code: the request
/// errors and command refusals defined in Application (RequestErrors.cs, Commands.cs) are mapped here and only here.
/// </summary>
public static class ApiErrors
{
    public static IApplicationBuilder UseDockerErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (EngineAnswerException refused) when (!context.Response.HasStarted)
        {
            // The engine's own refusal (its status, its {"message": …}) is the answer, as if the client had asked it.
            context.Response.StatusCode = refused.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(refused.Body);
        }
        catch (Exception e) when (Describe(e) is var (status, message) && status > 0 && !context.Response.HasStarted)
        {
            await WriteAsync(context, status, message);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            // dockerd answers every failure with a body; an empty 500 leaves a client with nothing to show.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("EventSwarm.Node.Api")
                .LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WriteAsync(context, 500, e.Message);
        }
    });

    /// <summary>
    /// Exactly Docker's, with no charset: the docker CLI decodes an error body only when the Content-Type is equal to
    /// "application/json", and otherwise prints the raw JSON ("Error response from daemon: {"message": …}").
    /// </summary>
    public const string ErrorContentType = "application/json";

    public static IResult Error(int status, string message) => Results.Json(new { message }, contentType: ErrorContentType, statusCode: status);

    public static IResult NotFound(string message) => Error(404, message);

    /// <summary>A refusal of the domain (a lookup that found none or several, a decision) with its status.</summary>
    public static IResult Of(DomainError error) => Error(StatusOf(error.Kind), error.Message);

    private static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.Unavailable => 503,
        ErrorKind.Unimplemented => 501,
        ErrorKind.Internal => 500,
        _ => 400,
    };

    public static IResult Conflict(string message) => Error(409, message);

    /// <summary>Docker's error shape, written directly (middleware and fallbacks that have no IResult to return).</summary>
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { message }, (JsonSerializerOptions?)null, ErrorContentType);
    }

    /// <summary>The status and message a refusal is answered with; status 0 for an exception that is not a refusal.</summary>
    public static (int Status, string Message) Describe(Exception e) => e switch
    {
        BadRequestException bad => (400, bad.Message),
        ForbiddenException forbidden => (403, forbidden.Message),
        UnclassifiedException unclassified => (500, unclassified.Message),
        CommandValidationException invalid => (400, invalid.Message),
        CommandRejectedException { Error: var error } => (StatusOf(error.Kind), error.Message),
        JsonException json => (400, $"malformed JSON in request body: {json.Message}"),
        BadHttpRequestException http => (400, http.Message),
        EngineUnreachableException unreachable => (500, unreachable.Message),
        _ => (0, ""),
    };
}
