#include "tests/support/encoding.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "common/base64url.h"

namespace keyward::test {
namespace {

struct Span {
  size_t start;
  size_t end;
};

// Where part `index` of a compact JWT starts and ends.
Span jwt_span(const std::string& token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = token.find('.', start);
    if (start == std::string::npos) throw std::runtime_error("JWT has too few parts");
    ++start;
  }
  const size_t end = token.find('.', start);
  return {start, end == std::string::npos ? token.size() : end};
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

nlohmann::json jwt_part(const std::string& token, int index) {
  const auto [start, end] = jwt_span(token, index);
  const auto decoded = base64url_decode(token.substr(start, end - start));
  if (!decoded) throw std::runtime_error("JWT part is not base64url");
  return nlohmann::json::parse(*decoded);
}

std::string with_jwt_claims(const std::string& token, const nlohmann::json& claims) {
  const auto [start, end] = jwt_span(token, 1);
  return token.substr(0, start) + base64url_encode(claims.dump()) + token.substr(end);
}

}  // namespace keyward::test
