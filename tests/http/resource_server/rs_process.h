#pragma once
// keyward-sample-rs in a child process (tests/http/support/child_process.h launches it and
// cleans up after it), started with the parent's environment minus every KEYWARD_*
// variable, plus `env`.
#include <chrono>
#include <cstdint>

#include "tests/http/support/child_process.h"
#include "tests/http/support/server_process.h"

namespace keyward::test {

class RsProcess : public ListeningProcess {
 public:
  explicit RsProcess(const Env& env, std::chrono::milliseconds timeout = std::chrono::seconds(20));
};

}  // namespace keyward::test
