using System.Security.Cryptography;
using System.Text;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.UnitTests.Security;

/// <summary>The unlock key's form (Swarm's SWMKEY-1-) and the wrapping of keys under it.</summary>
public sealed class KeyWrap_Tests
{
    [Fact]
    public void Unlock_key_reads_back_in_swarms_form_with_unpadded_base64()
    {
        var key = UnlockKey.New();
        var text = UnlockKey.Format(key);
        Assert.StartsWith("SWMKEY-1-", text);
        Assert.Equal(9 + 43, text.Length);
        Assert.DoesNotContain("=", text);
        Assert.True(UnlockKey.TryParse($"  {text}\n", out var parsed));
        Assert.Equal(key, parsed);
        // As Docker prints it (its own example), and with the padding a user might add.
        Assert.True(UnlockKey.TryParse("SWMKEY-1-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8", out var docker));
        Assert.Equal(32, docker.Length);
        Assert.True(UnlockKey.TryParse(text + "=", out var padded));
        Assert.Equal(key, padded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("SWMTKN-1-abc")]
    [InlineData("SWMKEY-1-")]
    [InlineData("SWMKEY-1-not base64!")]
    public void A_key_not_in_swarms_form_is_refused(string text) => Assert.False(UnlockKey.TryParse(text, out _));

    [Fact]
    public void A_wrapped_key_opens_with_the_right_unlock_key_only()
    {
        var unlockKey = UnlockKey.New();
        var plain = Encoding.UTF8.GetBytes("-----BEGIN PRIVATE KEY-----");
        var wrapped = KeyWrap.Wrap(unlockKey, "node.key", plain);

        Assert.True(KeyWrap.IsWrapped(wrapped));
        Assert.DoesNotContain("PRIVATE", wrapped);
        Assert.Equal(plain, KeyWrap.Unwrap(unlockKey, "node.key", wrapped));
        Assert.ThrowsAny<CryptographicException>(() => KeyWrap.Unwrap(UnlockKey.New(), "node.key", wrapped));
        // One KEK per purpose: a wrap of one file is not taken for another.
        Assert.ThrowsAny<CryptographicException>(() => KeyWrap.Unwrap(unlockKey, "data-key", wrapped));
    }

    [Fact]
    public void The_unlock_key_in_the_log_is_sealed_under_the_data_key()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var unlockKey = UnlockKey.New();
        var sealedKey = KeyWrap.SealUnlockKey(dataKey, unlockKey);

        Assert.DoesNotContain(UnlockKey.Format(unlockKey)[9..], sealedKey);
        Assert.DoesNotContain(Convert.ToBase64String(unlockKey), sealedKey);
        Assert.Equal(unlockKey, KeyWrap.OpenUnlockKey(dataKey, sealedKey));
        Assert.ThrowsAny<CryptographicException>(() => KeyWrap.OpenUnlockKey(RandomNumberGenerator.GetBytes(32), sealedKey));
    }
}
