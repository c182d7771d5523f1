#pragma once
// A storage failure met while serving a client or user operation, as the OAuth error the
// endpoint sends (DESIGN.md "Errors"): no connection, a timeout or a conflict is
// temporarily_unavailable (503, retry in a second); anything else is server_error (500).
// The StorageError's message goes to log_detail only.
#include <string_view>

#include "grants/oauth_error.h"
#include "storage/storage_error.h"

namespace keyward::grants {

[[nodiscard]] OAuthError storage_failure(const storage::StorageError& error, std::string_view what);

}  // namespace keyward::grants
