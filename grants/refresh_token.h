#pragma once
// The refresh token grant (RFC 6749 §6) with rotation on every use and reuse detection
// (RFC 9700 §4.14.2): the presented token is exchanged for a new access token and a new
// refresh token in one atomic statement; presenting a token that was already rotated
// revokes the whole grant, so every access and refresh token issued from it dies. Of two
// concurrent uses of one token exactly one rotates it; the other revokes the grant, or,
// within the retry grace window below, gets the same successor.
//
// The retry grace window (KEYWARD_REFRESH_REUSE_GRACE, docs/security.md): a client whose
// answer was lost on the way retries with the token it just rotated. Within the window,
// and only while the successor is still unused, it gets that same successor back (with a
// fresh access token) instead of losing the grant. Giving the *same* successor back needs
// the successor without storing it, since tokens are stored only as SHA-256 digests. We
// derive it: successor = base64url(HMAC-SHA-256(K, presented)), K = HKDF(master key,
// "keyward refresh-successor v1"). A retry recomputes the identical token, so nothing
// secret is stored at all (the alternative, the successor sealed with AES-GCM in the row
// for the window, would store it and need its own clean-up). Without K the successor is
// as unpredictable as a random token: HMAC-SHA-256 is a PRF and every chain starts from
// 256 random bits. Two concurrent retries cannot both rotate: the first rotation is one
// atomic statement and the second then finds the token rotated (storage/refresh_token_
// repository.h); a replay is decided under the successor's row lock.
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "audit/event.h"
#include "grants/grant_handler.h"
#include "grants/token_issuer.h"
#include "storage/refresh_token_repository.h"

namespace keyward::grants {

// HKDF-SHA-256(master_key, "keyward refresh-successor v1"): 32 bytes.
[[nodiscard]] std::string refresh_successor_key(std::string_view master_key);

// The successor of `presented`: HMAC-SHA-256 under `successor_key`, base64url (43
// characters, like every refresh token).
[[nodiscard]] MintedRefreshToken successor_refresh_token(std::string_view successor_key,
                                                         std::string_view presented);

struct RefreshTokenPolicy {
  std::string successor_key;            // refresh_successor_key(master key)
  std::chrono::seconds reuse_grace{0};  // 0: every reuse revokes the grant
};

class RefreshTokenGrant final : public GrantHandler {
 public:
  // A reuse is reported to `events` (refresh_reuse_detected).
  RefreshTokenGrant(storage::RefreshTokenRepository& tokens, const TokenIssuer& issuer,
                    RefreshTokenPolicy policy, audit::EventSink& events);

  [[nodiscard]] std::string_view grant_type() const override;
  [[nodiscard]] std::span<const std::string_view> parameters() const override;
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client& client) override;

 private:
  storage::RefreshTokenRepository& tokens_;
  const TokenIssuer& issuer_;
  const RefreshTokenPolicy policy_;
  audit::EventSink& events_;
};

}  // namespace keyward::grants
