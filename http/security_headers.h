#pragma once
// Response headers that protect browsers (DESIGN.md "Browser flows").
#include "http/headers.h"

namespace keyward::http {

// On every response: no content sniffing (a JSON error must never be run as HTML).
void add_common_security_headers(Headers& headers);

// On HTML pages: no framing (clickjacking of the consent page), no Referer leaking the
// authorization request, no caching of pages that carry CSRF tokens, and a CSP that
// allows only our own resources.
void add_page_security_headers(Headers& headers);

}  // namespace keyward::http
