using System.Security.Cryptography;
using EventSwarm.Application;
using EventSwarm.Application.Configs;
using EventSwarm.Application.Secrets;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.UnitTests.Secrets;

public sealed class SecretInput_Tests : IDisposable
{
    private static readonly Caller Alice = new("unix:alice", "c1");
    private readonly string _dir = Directory.CreateTempSubdirectory("es-cipher").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private SecretCipher Cipher()
    {
        var secrets = new ClusterSecrets(_dir);
        secrets.Save(ClusterSecrets.Create(DateTimeOffset.UtcNow));
        return new SecretCipher(secrets);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SecretRules.MaxSecretSize)]
    public void Secret_data_must_be_1_byte_to_under_500_KiB(int size)
    {
        var result = new CreateSecretValidator().Validate(new CreateSecretCommand(new SecretSpec { Name = "pw" }, new byte[size], Alice));

        Assert.Equal("secret data must be larger than 0 and less than 512000 bytes", Assert.Single(result.Errors).ErrorMessage);
    }

    [Fact]
    public void Secret_data_just_under_the_limit_is_accepted()
    {
        Assert.True(new CreateSecretValidator().Validate(new CreateSecretCommand(new SecretSpec { Name = "pw" }, new byte[SecretRules.MaxSecretSize - 1], Alice)).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-pw")]
    [InlineData("pw!")]
    public void A_bad_name_is_refused_in_swarmkits_words(string name)
    {
        var result = new CreateSecretValidator().Validate(new CreateSecretCommand(new SecretSpec { Name = name }, [1], Alice));

        Assert.Contains(result.Errors, e => e.ErrorMessage == FileObjects.NameProblem(name));
    }

    [Fact]
    public void Config_data_may_reach_1000_KiB()
    {
        var ok = new CreateConfigValidator().Validate(new CreateConfigCommand(new ConfigSpec { Name = "c" }, new byte[ConfigRules.MaxConfigSize - 1], Alice));
        var tooBig = new CreateConfigValidator().Validate(new CreateConfigCommand(new ConfigSpec { Name = "c" }, new byte[ConfigRules.MaxConfigSize], Alice));

        Assert.True(ok.IsValid);
        Assert.Equal("config data must be larger than 0 and less than 1024000 bytes", Assert.Single(tooBig.Errors).ErrorMessage);
    }

    [Fact]
    public void A_command_carrying_secret_data_never_prints_it()
    {
        var command = new CreateSecretCommand(new SecretSpec { Name = "pw" }, "adminadmin"u8.ToArray(), Alice);

        Assert.DoesNotContain("adminadmin", command.ToString());
        Assert.DoesNotContain("adminadmin", new RotateSecretCommand("pw", "adminadmin"u8.ToArray(), Alice).ToString());
    }

    [Fact]
    public void Sealed_data_opens_to_the_plaintext_and_does_not_contain_it()
    {
        var cipher = Cipher();

        var sealedData = cipher.Seal("s1", 1, "adminadmin\n"u8);

        Assert.DoesNotContain("adminadmin", sealedData);
        Assert.DoesNotContain(Convert.ToBase64String("adminadmin\n"u8), sealedData);
        Assert.Equal("adminadmin\n"u8.ToArray(), cipher.Open("s1", 1, sealedData));
    }

    [Fact]
    public void Sealed_data_moved_to_another_secret_or_version_does_not_open()
    {
        var cipher = Cipher();
        var sealedData = cipher.Seal("s1", 1, "adminadmin"u8);

        Assert.ThrowsAny<CryptographicException>(() => cipher.Open("s2", 1, sealedData));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Open("s1", 2, sealedData));
    }

    [Fact]
    public void Two_seals_of_the_same_data_differ()
    {
        var cipher = Cipher();

        Assert.NotEqual(cipher.Seal("s1", 1, "x"u8), cipher.Seal("s1", 1, "x"u8));
    }

    [Fact]
    public void A_node_without_the_data_key_cannot_seal()
    {
        var cipher = new SecretCipher(new ClusterSecrets(_dir));

        Assert.Throws<CommandRejectedException>(() => cipher.Seal("s1", 1, "x"u8));
    }

    [Fact]
    public void A_demoted_manager_drops_the_data_key_and_the_ca_key()
    {
        var secrets = new ClusterSecrets(_dir);
        secrets.Save(ClusterSecrets.Create(DateTimeOffset.UtcNow));

        secrets.DropManagerMaterial();

        Assert.Null(secrets.DataKey());
        Assert.Null(secrets.ExportManagerMaterial());
    }
}
