using EventSwarm.Application;
using EventSwarm.Application.Services;
using FluentValidation;

namespace EventSwarm.UnitTests.Services;

/// <summary>
/// The commands that carry part of a spec (a replica count, an image) are held to the spec's own rules, in the
/// same words: each rule is stated once (ServiceRules) and the decider does not check it again.
/// </summary>
public sealed class ServiceCommandValidators_Tests
{
    private static readonly Caller Caller = new("test", "c1");

    private static IReadOnlyList<string> Errors<T>(AbstractValidator<T> validator, T command) =>
        validator.Validate(command).Errors.Select(e => e.ErrorMessage).ToList();

    private static IReadOnlyList<string> SpecErrors(ServiceSpec spec) => Errors(new CreateServiceValidator(), new CreateServiceCommand(spec, Caller));

    [Fact]
    public void Scale_to_a_negative_count_is_invalid()
    {
        Assert.Equal(["invalid replicas value -1: must be a non-negative integer"], Errors(new ScaleServiceValidator(), new ScaleServiceCommand("web", -1, Caller)));
    }

    [Fact]
    public void Scale_to_zero_is_valid()
    {
        Assert.Empty(Errors(new ScaleServiceValidator(), new ScaleServiceCommand("web", 0, Caller, 7)));
    }

    [Fact]
    public void A_negative_count_is_refused_in_the_same_words_in_a_scale_and_in_a_spec()
    {
        Assert.Equal(SpecErrors(Spec(replicas: -3)), Errors(new ScaleServiceValidator(), new ScaleServiceCommand("web", -3, Caller)));
    }

    [Fact]
    public void Image_update_without_an_image_is_refused_in_the_specs_words()
    {
        Assert.Equal(["ContainerSpec: image reference must be provided"], Errors(new UpdateServiceImageValidator(), new UpdateServiceImageCommand("web", 1, "", Caller)));
        Assert.Equal(SpecErrors(Spec(image: "")), Errors(new UpdateServiceImageValidator(), new UpdateServiceImageCommand("web", 1, "", Caller)));
    }

    [Fact]
    public void Image_update_with_an_image_is_valid()
    {
        Assert.Empty(Errors(new UpdateServiceImageValidator(), new UpdateServiceImageCommand("web", 1, "nginx:2", Caller)));
    }

    [Fact]
    public void Every_command_on_an_existing_service_needs_the_service_named()
    {
        const string expected = "service name or ID must not be empty";

        Assert.Equal([expected], Errors(new ScaleServiceValidator(), new ScaleServiceCommand("", 1, Caller)));
        Assert.Equal([expected], Errors(new UpdateServiceImageValidator(), new UpdateServiceImageCommand("", 1, "nginx:2", Caller)));
        Assert.Equal([expected], Errors(new UpdateServiceValidator(), new UpdateServiceCommand("", 1, Spec(), Caller)));
    }
}
