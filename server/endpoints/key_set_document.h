#pragma once
// What /jwks and the discovery documents share: a public document the key manager renders
// once per key change (DESIGN.md "Performance") and the reactor serves pre-serialised from
// its snapshot, with no database and no per-request JSON.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"
#include "keys/key_manager.h"

namespace keyward::server {

// Picks the document out of a snapshot.
using SnapshotDocument = std::function<const std::string&(const keys::KeySnapshot&)>;

// The handler: the document with `content_type`, Cache-Control: public, max-age=<max_age>,
// Access-Control-Allow-Origin: * (public data, fetched by browser-based clients too) and a
// strong ETag (the base64url SHA-256 of the bytes, the same on every instance); a GET whose
// If-None-Match names that tag (or "*") gets 304 with the same headers and no body. 503
// temporarily_unavailable with Retry-After: 1 until the first keys are loaded.
[[nodiscard]] http::Handler key_set_document_handler(std::shared_ptr<const keys::KeyManager> keys,
                                                     std::string content_type,
                                                     std::chrono::seconds max_age,
                                                     SnapshotDocument document);

}  // namespace keyward::server
