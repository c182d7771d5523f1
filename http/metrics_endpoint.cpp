#include "http/metrics_endpoint.h"

#include "http/response.h"

namespace keyward::http {

Result<AddressAllowList, std::string> AddressAllowList::parse(std::string_view list) {
  // The same grammar as KEYWARD_TRUSTED_PROXIES.
  auto parsed = TrustedProxies::parse(list);
  if (!parsed.ok()) return err(parsed.error());
  return AddressAllowList(parsed->ranges());
}

bool AddressAllowList::allows(std::string_view address) const {
  const auto ip = IpAddress::parse(address);
  if (!ip) return false;
  for (const auto& range : ranges_) {
    if (range.contains(*ip)) return true;
  }
  return false;
}

void add_metrics_route(Router& router, const metrics::Registry& registry,
                       AddressAllowList allowed) {
  auto handler = [&registry, allowed = std::move(allowed)](const HttpRequest& request) {
    if (!allowed.allows(request.client_ip)) {
      return json_error(404, "not_found", "no such endpoint");  // as the router's own 404
    }
    if (request.method != Method::Get) {
      auto r = json_error(405, "method_not_allowed", "method not allowed");
      r.headers.set("Allow", "GET");
      return r;
    }
    HttpResponse r;
    r.headers.set("Content-Type", std::string(metrics::kContentType));
    r.headers.set("Cache-Control", "no-store");
    r.body = registry.render();
    return r;
  };
  for (const auto method : kAllMethods) {
    router.add(method, std::string(kMetricsPath), handler);
  }
}

}  // namespace keyward::http
