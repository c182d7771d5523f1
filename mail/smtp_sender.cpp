#include "mail/smtp_sender.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>

#include "common/crypto.h"
#include "common/text.h"

namespace keyward::mail {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_mime* m) const { curl_mime_free(m); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
template <typename T>
using CurlPtr = std::unique_ptr<T, CurlDeleter>;

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Standard base64 (RFC 4648 §4), which RFC 2047 uses, by OpenSSL.
std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// RFC 2047 encoded-word for a header value that is not ASCII ("=?UTF-8?B?...?=").
std::string header_text(std::string_view value) {
  if (is_ascii(value)) return std::string(value);
  // An encoded-word is at most 75 characters (§2): 45 bytes make 60 of base64. Words are
  // cut between characters, never inside one (§5), and folded onto new lines.
  std::string out;
  while (!value.empty()) {
    size_t take = std::min<size_t>(45, value.size());
    while (take < value.size() && (static_cast<unsigned char>(value[take]) & 0xC0) == 0x80) --take;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(value.substr(0, take)) + "?=";
    value.remove_prefix(take);
  }
  return out;
}

// RFC 5322 §3.3, always in UTC.
std::string rfc5322_date() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return buffer;
}

}  // namespace

std::string address_of(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  const auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
    return std::string(mailbox.substr(open + 1, close - open - 1));
  }
  while (!mailbox.empty() && mailbox.front() == ' ') mailbox.remove_prefix(1);
  while (!mailbox.empty() && mailbox.back() == ' ') mailbox.remove_suffix(1);
  return std::string(mailbox);
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? "" : std::string(address.substr(at + 1));
}

bool is_plausible_address(std::string_view address) {
  if (address.size() < 3 || address.size() > 320 || !is_utf8(address)) return false;
  if (has_space_or_control(address)) return false;
  if (address.find_first_of("<>,;\"()[]\\") != std::string_view::npos) return false;
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at != address.rfind('@')) return false;
  const auto domain = address.substr(at + 1);
  return !domain.empty() && domain.front() != '.' && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {
  init_curl_once();
}

Result<Unit, SendFailure> SmtpSender::send(const Mail& mail) const {
  if (!is_plausible_address(mail.to)) return err(SendFailure{"not a valid recipient", true});
  const std::string from_address = address_of(settings_.from);
  const std::string from_domain = domain_of(from_address);
  const std::string message_id_domain = from_domain.empty() ? "localhost" : from_domain;
  CurlPtr<CURL> curl(curl_easy_init());
  if (!curl) return err(SendFailure{"curl_easy_init failed", false});
  CURL* c = curl.get();

  CurlPtr<curl_slist> recipients(curl_slist_append(nullptr, ("<" + mail.to + ">").c_str()));
  // Headers of the whole message; curl adds MIME-Version and the Content-Type.
  curl_slist* raw_headers = nullptr;
  for (const std::string& header :
       {"Date: " + rfc5322_date(), "From: " + settings_.from, "To: <" + mail.to + ">",
        "Subject: " + header_text(mail.subject),
        "Message-ID: <" + random_token() + "@" + message_id_domain + ">",
        std::string("Auto-Submitted: auto-generated")}) {
    raw_headers = curl_slist_append(raw_headers, header.c_str());
  }
  CurlPtr<curl_slist> headers(raw_headers);

  // multipart/alternative: the plain text first, the HTML last (the one preferred).
  CurlPtr<curl_mime> message(curl_mime_init(c));
  curl_mime* alternative = curl_mime_init(c);
  for (const auto& [body, type] :
       {std::pair<const std::string*, const char*>{&mail.text, "text/plain; charset=utf-8"},
        {&mail.html, "text/html; charset=utf-8"}}) {
    curl_mimepart* part = curl_mime_addpart(alternative);
    curl_mime_data(part, body->data(), body->size());
    curl_mime_type(part, type);
    curl_mime_encoder(part, "quoted-printable");
  }
  curl_mimepart* container = curl_mime_addpart(message.get());
  curl_mime_subparts(container, alternative);  // owned by `message` from here
  curl_mime_type(container, "multipart/alternative");
  curl_mime_headers(container, curl_slist_append(nullptr, "Content-Disposition: inline"), 1);

  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + from_address + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_MIMEPOST, message.get());
  // smtps:// is TLS regardless. On smtp://, STARTTLS whenever the server offers it; and
  // when credentials are set it is required: a network attacker who strips the offer must
  // not receive the password (nor the links) in clear.
  const bool has_credentials = settings_.username || settings_.password;
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   static_cast<long>(has_credentials ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (settings_.username) curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username->c_str());
  if (settings_.password) curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password->c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");

  const CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) return Unit{};
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string reason = curl_easy_strerror(code);
  if (reply != 0) reason += " (SMTP reply " + std::to_string(reply) + ")";
  return err(SendFailure{std::move(reason), reply >= 500 && reply < 600});
}

}  // namespace keyward::mail
