using EventSwarm.Domain.Tasks;
using Mediator;

namespace EventSwarm.Application.Tasks;

public sealed record ReportTaskStatusCommand(ReportTaskStatus Report, Caller Caller) : ICommand;

public sealed class TaskCommandHandlers(CommandExecutor executor) : ICommandHandler<ReportTaskStatusCommand>
{
    public async ValueTask<Unit> Handle(ReportTaskStatusCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("ReportTaskStatus", command.Caller, state => TaskDecider.Decide(command.Report, state), ct);
        return Unit.Value;
    }
}
