#pragma once
// Who signed in upstream, read from a verified ID token's claims and, for what the token
// lacks, from the userinfo response (OIDC Core §5.1 standard claims). Only values we can
// store and show are kept: strings without control characters within the table's lengths;
// anything else is treated as absent. email_verified counts only as the JSON boolean true
// (a string "true" is not what §5.1 defines, and an unverified address must never be taken
// for a verified one).
#include <string_view>

#include <nlohmann/json.hpp>

#include "federation/upstream.h"

namespace keyward::federation {

// `claims` has passed check_id_token, so sub is a usable string.
[[nodiscard]] UpstreamIdentity identity_from_claims(std::string_view provider,
                                                    const nlohmann::json& claims);

// Fills what `identity` lacks (the e-mail with its email_verified, the names) from the
// userinfo response, whose sub the caller has compared already (OIDC Core §5.3.2).
void complete_identity(UpstreamIdentity& identity, const nlohmann::json& userinfo);

}  // namespace keyward::federation
