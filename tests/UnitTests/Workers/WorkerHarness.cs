using EventSwarm.Application.Log;
using EventSwarm.Application.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// A worker of node n1 running against <see cref="FakeContainerRuntime"/>, with a manager that commits every report
/// it receives into the projection, as the real one does. Waits are bounded by <see cref="Patience"/>: a test that
/// waits for a report fails with a timeout, never hangs.
/// </summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    public const string NodeId = "n1";

    private readonly object _gate = new();
    private readonly List<ReportTaskStatus> _batches = [];
    private readonly List<(Func<TaskStatusReport, bool> Match, TaskCompletionSource<TaskObservation> Seen)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public WorkerHarness(ClusterState state, EnginePool? pool = null)
    {
        Projection.Restore(state);
        Agent = new WorkerAgent(NodeId, Engine, Projection, SendAsync, TaskFiles, FileStore, new FixedClock(), NullLogger<WorkerAgent>.Instance, pool);
    }

    public ClusterProjection Projection { get; } = new();
    public FakeContainerRuntime Engine { get; } = new();
    public FakeTaskFiles TaskFiles { get; } = new();
    public FakeTaskFileStore FileStore { get; } = new();
    public WorkerAgent Agent { get; }

    public IReadOnlyList<ReportTaskStatus> Batches
    {
        get { lock (_gate) return [.. _batches]; }
    }

    public WorkerHarness Start()
    {
        _run = Task.Run(() => Agent.RunAsync(_stop.Token));
        return this;
    }

    /// <summary>The log moves on (a scale-down, a removal), as the managers would commit it.</summary>
    public void Commit(params DomainEvent[] events)
    {
        lock (_gate) Projection.Restore(Projection.Current.And(events));
    }

    /// <summary>The first report of the task in this state, sent now or later.</summary>
    public Task<TaskObservation> Reported(string taskId, TaskState state) => Reported(r => r.TaskId == taskId && r.Status.State == state);

    public Task<TaskObservation> Reported(Func<TaskStatusReport, bool> match)
    {
        var seen = new TaskCompletionSource<TaskObservation>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_batches.SelectMany(b => b.Reports).FirstOrDefault(match) is { } already) return Task.FromResult(already.Status);
            _waiters.Add((match, seen));
        }
        return seen.Task.WaitAsync(Patience);
    }

    private Task SendAsync(ReportTaskStatus batch, CancellationToken ct)
    {
        lock (_gate)
        {
            _batches.Add(batch);
            Projection.Restore(Projection.Current.And(batch.Reports.Select(r => new TaskStatusReported(r.TaskId, batch.NodeId, r.Status))));
            foreach (var report in batch.Reports)
                foreach (var waiter in _waiters.Where(w => w.Match(report)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Seen.TrySetResult(report.Status);
                }
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Engine.Hold?.TrySetResult();
        await _stop.CancelAsync();
        await _run.WaitAsync(Patience);
        _stop.Dispose();
    }

    private sealed class FixedClock : IClock
    {
        public DateTimeOffset Now => T0;
    }
}
