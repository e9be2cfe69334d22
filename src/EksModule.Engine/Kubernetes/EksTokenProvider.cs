using System.Net.Http.Headers;
using EksModule.Engine.Auth;
using k8s.Authentication;

namespace EksModule.Engine.Kubernetes;

/// <summary>
/// Bearer tokens for KubernetesClient, minted in process and reused until shortly before the
/// 14-minute expiry, then minted again (STS honours the URL for 15 minutes).
/// </summary>
public sealed class EksTokenProvider : ITokenProvider
{
    /// <summary>Mint again this long before the client-side expiry, so a request in flight never carries a stale token.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    private readonly Func<CancellationToken, Task<MintedToken>> _mint;
    private readonly Func<DateTime> _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MintedToken? _current;

    public EksTokenProvider(Func<CancellationToken, Task<MintedToken>> mint, Func<DateTime>? clock = null)
    {
        _mint = mint;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        var token = _current;
        if (token is null || _clock() >= token.ExpirationUtc - RefreshMargin)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                token = _current;
                if (token is null || _clock() >= token.ExpirationUtc - RefreshMargin)
                    _current = token = await _mint(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        return new AuthenticationHeaderValue("Bearer", token.Token);
    }
}
