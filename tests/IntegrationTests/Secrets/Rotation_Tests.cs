namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>Rotation of a secret in place while its service serves (<see cref="RotationUnderLoad"/>).</summary>
public sealed class Rotation_Tests(RotationUnderLoad fixture) : IClassFixture<RotationUnderLoad>
{
    [Fact]
    public void Rotation_rolls_every_task_that_reads_the_secret() => fixture.Story.AssertHeld("the rotation rolls every task to the new version");

    [Fact]
    public void No_request_through_the_VIP_fails_during_a_rotation() => fixture.Story.AssertHeld("no request through the VIP failed");

    [Fact]
    public void No_request_through_the_routing_mesh_fails_during_a_rotation() => fixture.Story.AssertHeld("no request through the routing mesh failed");

    [Fact]
    public void Every_task_ends_on_the_new_content() => fixture.Story.AssertHeld("every task ends on the new content");

    [Fact]
    public void Inspect_shows_the_new_version_and_no_task_left_on_the_old_one() => fixture.Story.AssertHeld("inspect shows version 2 and no task on version 1");

    [Fact]
    public void The_old_version_leaves_every_node() => fixture.Story.AssertHeld("the old version leaves every node");

    [Fact]
    public void The_audit_trail_shows_who_rotated_the_secret() => fixture.Story.AssertHeld("the audit trail shows the rotation and who did it");
}
