extern alias node;
using System.Runtime.InteropServices;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Platform;

/// <summary>
/// Docker names a machine's architecture twice: /info's Architecture is `uname -m`, /version's Arch is Go's GOARCH.
/// Every architecture .NET knows maps to both, none to another machine's name.
/// </summary>
public sealed class Machine_architecture_Tests
{
    [Theory]
    [InlineData(Architecture.X64, "x86_64", "amd64")]
    [InlineData(Architecture.Arm64, "aarch64", "arm64")]
    [InlineData(Architecture.Arm, "armv7l", "arm")]
    [InlineData(Architecture.Armv6, "armv6l", "arm")]
    [InlineData(Architecture.X86, "i686", "386")]
    [InlineData(Architecture.S390x, "s390x", "s390x")]
    [InlineData(Architecture.Ppc64le, "ppc64le", "ppc64le")]
    [InlineData(Architecture.RiscV64, "riscv64", "riscv64")]
    [InlineData(Architecture.LoongArch64, "loongarch64", "loong64")]
    public void Each_architecture_has_unames_name_for_info_and_gos_for_version(Architecture architecture, string uname, string goArch)
    {
        Assert.Equal(uname, MachineArchitecture.Uname(architecture));
        Assert.Equal(goArch, MachineArchitecture.GoArch(architecture));
    }

    [Fact]
    public void No_two_architectures_share_a_uname_name()
    {
        var names = Enum.GetValues<Architecture>().Select(MachineArchitecture.Uname).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void This_machine_is_reported_as_the_runtime_sees_it()
    {
        Assert.Equal(MachineArchitecture.Uname(RuntimeInformation.OSArchitecture), MachineArchitecture.Machine);
        Assert.Equal(MachineArchitecture.GoArch(RuntimeInformation.OSArchitecture), MachineArchitecture.Go);
    }
}
