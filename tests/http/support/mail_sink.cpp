#include "tests/http/support/mail_sink.h"

#include <signal.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward::test {
namespace {

std::vector<std::filesystem::path> mail_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<ReceivedMail> read_mail(const std::filesystem::path& file) {
  const auto parsed = nlohmann::json::parse(read_file(file), nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  ReceivedMail mail;
  mail.from = parsed.value("from", "");
  mail.to = parsed.value("to", "");
  mail.subject = parsed.value("subject", "");
  mail.text = parsed.value("text", "");
  mail.html = parsed.value("html", "");
  return mail;
}

}  // namespace

MailSink::MailSink(int refuse_first) : dir_("keyward-mail") {
  const auto mails = dir_.path() / "mails";
  pid_ =
      spawn({"/usr/bin/python3", std::string(KEYWARD_SOURCE_DIR) + "/scripts/mail-sink.py", "--dir",
             mails.string(), "--listen", "127.0.0.1:0", "--refuse", std::to_string(refuse_first)},
            {"PATH=/usr/bin:/bin"}, dir_.path() / "sink.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string port = read_file(mails / "port");
    if (!port.empty()) {
      port_ = static_cast<uint16_t>(std::stoi(port));
      return;
    }
    if (wait_for(pid_, std::chrono::milliseconds(50))) break;  // it exited
  }
  const std::string log = read_file(dir_.path() / "sink.log");
  ::kill(pid_, SIGKILL);
  (void)wait_for(pid_, std::chrono::seconds(5));
  throw std::runtime_error("the SMTP sink did not start: " + log);
}

MailSink::~MailSink() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!wait_for(pid_, std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      (void)wait_for(pid_, std::chrono::seconds(5));
    }
  }
}

std::string MailSink::smtp_url() const {
  return "smtp://127.0.0.1:" + std::to_string(port_);
}

std::optional<ReceivedMail> MailSink::next_for(const std::string& to,
                                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const auto& file : mail_files(dir_.path() / "mails")) {
      if (seen_.contains(file.filename().string())) continue;
      auto mail = read_mail(file);
      if (mail && mail->to == to) {
        seen_.insert(file.filename().string());
        return mail;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

size_t MailSink::count_for(const std::string& to) const {
  size_t n = 0;
  for (const auto& file : mail_files(dir_.path() / "mails")) {
    auto mail = read_mail(file);
    if (mail && mail->to == to) ++n;
  }
  return n;
}

std::string link_in(const std::string& text, const std::string& prefix) {
  const auto at = text.find(prefix);
  if (at == std::string::npos) return "";
  const auto end = text.find_first_of(" \t\r\n\"'<>", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace keyward::test
