#include "http/security_headers.h"

namespace keyward::http {

void add_common_security_headers(Headers& headers) {
  headers.set("X-Content-Type-Options", "nosniff");
}

void add_page_security_headers(Headers& headers) {
  // form-action 'self' keeps a form from posting credentials elsewhere; the redirect back
  // to the client after consent is a 302, which CSP does not restrict.
  headers.set("Content-Security-Policy",
              "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("Cache-Control", "no-store");
  add_common_security_headers(headers);
}

}  // namespace keyward::http
