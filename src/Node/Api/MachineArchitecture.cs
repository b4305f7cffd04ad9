using System.Runtime.InteropServices;

namespace EventSwarm.Node.Api;

/// <summary>
/// This machine's architecture under the two names Docker gives it, read from the runtime (the OS's own answer,
/// not the process's) so that no machine is taken for another. dockerd's <c>/info</c> Architecture is the kernel's
/// <c>uname -m</c> (x86_64, aarch64, armv7l…); <c>/version</c>'s Arch is Go's GOARCH (amd64, arm64, arm…).
/// </summary>
public static class MachineArchitecture
{
    /// <summary>What <c>uname -m</c> prints on Linux for each architecture .NET knows.</summary>
    public static string Uname(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.X86 => "i686",
        Architecture.Arm64 => "aarch64",
        Architecture.Arm => "armv7l",
        Architecture.Armv6 => "armv6l",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.LoongArch64 => "loongarch64",
        Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>Go's GOARCH for each architecture .NET knows.</summary>
    public static string GoArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.X86 => "386",
        Architecture.Arm64 => "arm64",
        Architecture.Arm or Architecture.Armv6 => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.LoongArch64 => "loong64",
        Architecture.RiscV64 => "riscv64",
        Architecture.Wasm => "wasm",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>This machine's, as /info says it.</summary>
    public static string Machine { get; } = Uname(RuntimeInformation.OSArchitecture);

    /// <summary>This machine's, as /version says it.</summary>
    public static string Go { get; } = GoArch(RuntimeInformation.OSArchitecture);
}
