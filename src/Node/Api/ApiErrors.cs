using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Domain;

namespace EventSwarm.Node.Api;

/// <summary>An error of the request itself, found while reading it (malformed JSON, an unknown mount type).</summary>
public sealed class BadRequestException(string message) : Exception(message);

/// <summary>An error the engine answers unclassified, with 500, where matching it matters to clients.</summary>
public sealed class UnclassifiedException(string message) : Exception(message);

/// <summary>Turns every refusal into Docker's error shape, <c>{"message": "…"}</c>, with the matching status code.</summary>
public static class ApiErrors
{
    public static IApplicationBuilder UseDockerErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (Describe(e) is var (status, message) && status > 0)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { message }, (JsonSerializerOptions?)null, ErrorContentType);
        }
    });

    /// <summary>
    /// Exactly Docker's, with no charset: the docker CLI decodes an error body only when the Content-Type is equal to
    /// "application/json", and otherwise prints the raw JSON ("Error response from daemon: {"message": …}").
    /// </summary>
    public const string ErrorContentType = "application/json";

    public static IResult Error(int status, string message) => Results.Json(new { message }, contentType: ErrorContentType, statusCode: status);

    public static IResult NotFound(string message) => Error(404, message);

    private static (int Status, string Message) Describe(Exception e) => e switch
    {
        BadRequestException bad => (400, bad.Message),
        UnclassifiedException unclassified => (500, unclassified.Message),
        CommandValidationException invalid => (400, invalid.Message),
        CommandRejectedException { Error: var error } => (error.Kind switch
        {
            ErrorKind.NotFound => 404,
            ErrorKind.Conflict => 409,
            ErrorKind.Unavailable => 503,
            ErrorKind.Unimplemented => 501,
            ErrorKind.Internal => 500,
            _ => 400,
        }, error.Message),
        JsonException json => (400, $"malformed JSON in request body: {json.Message}"),
        BadHttpRequestException http => (400, http.Message),
        _ => (0, ""),
    };
}
