using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Services;
using Mediator;

namespace EventSwarm.UnitTests.Services;

/// <summary>
/// An update sends a whole spec; the log records what the caller meant by it, which the audit trail shows as the
/// command's name: `docker service scale web=5` is ScaleService, `docker service update --image x web` is
/// UpdateServiceImage, anything else UpdateService.
/// </summary>
public sealed class ServiceUpdateIntent_Tests
{
    private static readonly Caller Caller = new("unix:alice", "c1");
    private static readonly ServiceSpec Web = Spec("web", replicas: 2).WithConstraints("node.role==worker");
    private static readonly ClusterState State = Given(Cluster("n1")).And(Service(Web));
    private static readonly Service Current = State.Services["web"];

    private static ICommand CommandFor(ServiceSpec requested, long? version = null, Service? current = null) =>
        ServiceUpdateIntent.CommandFor("web", current ?? Current, requested, version ?? Current.Version, Caller);

    /// <summary>The spec as a client reads it back and sends it again: equal by value, not the same instance.</summary>
    private static ServiceSpec Inspected() => Spec("web", replicas: 2).WithConstraints("node.role==worker");

    [Fact]
    public void Docker_service_scale_is_the_ScaleService_command()
    {
        var command = CommandFor(Inspected() with { Mode = ServiceMode.Replicated(5) });

        Assert.Equal(new ScaleServiceCommand("web", 5, Caller, Current.Version), command);
    }

    [Fact]
    public void Scaling_to_zero_is_the_ScaleService_command()
    {
        Assert.Equal(new ScaleServiceCommand("web", 0, Caller, Current.Version), CommandFor(Inspected() with { Mode = ServiceMode.Replicated(0) }));
    }

    [Fact]
    public void Docker_service_update_image_is_the_UpdateServiceImage_command()
    {
        Assert.Equal(new UpdateServiceImageCommand("web", Current.Version, "nginx:2", Caller), CommandFor(Inspected().WithImage("nginx:2")));
    }

    [Fact]
    public void An_update_of_the_image_and_the_replicas_together_is_UpdateService()
    {
        var requested = Inspected().WithImage("nginx:2") with { Mode = ServiceMode.Replicated(5) };

        Assert.Equal(new UpdateServiceCommand("web", Current.Version, requested, Caller), CommandFor(requested));
    }

    [Fact]
    public void An_update_of_anything_else_is_UpdateService()
    {
        var requested = Inspected().WithConstraints("node.role==manager");

        Assert.Equal(new UpdateServiceCommand("web", Current.Version, requested, Caller), CommandFor(requested));
    }

    [Fact]
    public void An_update_that_changes_nothing_is_UpdateService_as_Swarm_records_it()
    {
        Assert.IsType<UpdateServiceCommand>(CommandFor(Inspected()));
    }

    [Fact]
    public void A_change_of_mode_is_UpdateService_for_the_decider_to_refuse()
    {
        Assert.IsType<UpdateServiceCommand>(CommandFor(Inspected() with { Mode = ServiceMode.Global }));
        var global = Given(Cluster("n1")).And(Service(GlobalSpec("agent"))).Services["agent"];
        Assert.IsType<UpdateServiceCommand>(ServiceUpdateIntent.CommandFor("agent", global, GlobalSpec("agent") with { Mode = ServiceMode.Replicated(3) }, global.Version, Caller));
    }

    [Fact]
    public void An_update_for_another_version_or_an_unknown_service_stays_UpdateService_for_the_decider_to_refuse()
    {
        // Narrowed against a spec the caller did not read, a scale could drop the other changes it sent.
        var scaled = Inspected() with { Mode = ServiceMode.Replicated(5) };

        Assert.IsType<UpdateServiceCommand>(CommandFor(scaled, version: Current.Version - 1));
        Assert.IsType<UpdateServiceCommand>(ServiceUpdateIntent.CommandFor("nope", null, scaled, Current.Version, Caller));
    }

    [Fact]
    public async Task A_scale_is_recorded_in_the_log_as_ScaleService_with_a_ServiceScaled_event()
    {
        var log = new RecordingLog(State);

        await log.Send(CommandFor(Inspected() with { Mode = ServiceMode.Replicated(5) }));

        var batch = Assert.Single(log.Batches);
        Assert.Equal("ScaleService", batch.Metadata.Command);
        Assert.Equal("unix:alice", batch.Metadata.Actor);
        Assert.Equal([new ServiceScaled("web", 5, log.Now)], batch.Events);
    }

    [Fact]
    public async Task An_image_update_is_recorded_in_the_log_as_UpdateServiceImage_with_a_ServiceUpdated_event()
    {
        var log = new RecordingLog(State);

        await log.Send(CommandFor(Inspected().WithImage("nginx:2")));

        var batch = Assert.Single(log.Batches);
        Assert.Equal("UpdateServiceImage", batch.Metadata.Command);
        Assert.Equal([new ServiceUpdated("web", Web.WithImage("nginx:2"), log.Now)], batch.Events);
    }

    [Fact]
    public async Task Any_other_update_is_recorded_in_the_log_as_UpdateService()
    {
        var log = new RecordingLog(State);

        await log.Send(CommandFor(Inspected().WithImage("nginx:2") with { Mode = ServiceMode.Replicated(5) }));

        Assert.Equal("UpdateService", Assert.Single(log.Batches).Metadata.Command);
    }

    /// <summary>The command handlers over a log that commits at once and keeps what was appended.</summary>
    private sealed class RecordingLog : IReplicatedLog, IClock
    {
        private readonly ClusterProjection _projection = new();
        private readonly ServiceCommandHandlers _handlers;

        public RecordingLog(ClusterState state)
        {
            _projection.Restore(state);
            _handlers = new ServiceCommandHandlers(new CommandExecutor(new ClusterWriter(this, _projection), this));
        }

        public List<EventBatch> Batches { get; } = [];
        public DateTimeOffset Now => At(60);
        public long CommittedIndex => _projection.Current.LastSequence;

        public async Task Send(ICommand command)
        {
            _ = command switch
            {
                ScaleServiceCommand scale => await _handlers.Handle(scale, CancellationToken.None),
                UpdateServiceImageCommand image => await _handlers.Handle(image, CancellationToken.None),
                UpdateServiceCommand update => await _handlers.Handle(update, CancellationToken.None),
                _ => throw new ArgumentException($"not an update: {command.GetType().Name}"),
            };
        }

        public ValueTask<Task> AppendAsync(EventBatch batch, CancellationToken ct)
        {
            Batches.Add(batch);
            _projection.Apply(batch);
            return ValueTask.FromResult(Task.CompletedTask);
        }

        public ValueTask CatchUpAsync(CancellationToken ct) => ValueTask.CompletedTask;
    }
}
