#pragma once
// `keyward client ...` and the small pieces `keyward user ...` shares with it: argument
// parsing and opening the database the way `keyward migrate` does (KEYWARD_* settings,
// server/config.h). Output is JSON on stdout; problems go to stderr with a non-zero exit:
// 2 for bad input (with a message that says why), 1 when the operation itself failed
// (database unreachable, no such client).
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "server/config.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::cli {

inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// `--name value`, `--name=value` and bare `--flag`s, plus positional arguments; after
// `--` everything is positional.
struct CommandArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>, std::less<>> options;  // name without "--"

  [[nodiscard]] bool has(std::string_view name) const { return options.count(name) > 0; }
  [[nodiscard]] std::optional<std::string> single(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const;
};

struct OptionSpec {
  std::string_view name;  // without "--"
  bool takes_value = true;
  bool repeatable = false;
};

// Errors: an unknown option, a missing value, a value given to a flag, a
// non-repeatable option given twice.
[[nodiscard]] Result<CommandArgs, std::string> parse_command_args(
    const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

// The whole of stdin, minus one trailing "\n" or "\r\n" (what `echo` or a here-string
// adds): how passwords and upstream client secrets reach a command, never through argv,
// where other local users could read them in the process list.
[[nodiscard]] std::string read_stdin_value(std::istream& in);

// `keyward <name> [OPERAND] [options]`, name being "client show" and the like: the words
// after the subcommand parsed with `specs`, with exactly one positional argument when `kind`
// is set (a missing one is "which <kind>? usage: keyward <name> <usage>") and none when it
// is empty. The arguments, or kExitUsage once the problem is printed.
[[nodiscard]] Result<CommandArgs, int> parse_subcommand(std::ostream& err, std::string_view name,
                                                        const std::vector<std::string>& words,
                                                        const std::vector<OptionSpec>& specs,
                                                        std::string_view kind,
                                                        std::string_view usage);

// What a command needs from the environment: the configuration and the database.
struct CommandContext {
  server::Config config;
  storage::Database database;
};

// Loads the configuration (printing every problem) and opens the database handle; nullopt
// means the message is printed and the command exits kExitUsage.
[[nodiscard]] std::optional<CommandContext> open_context(std::string_view command,
                                                         const server::EnvGetter& env,
                                                         std::ostream& err);

// A storage failure on stderr: "keyward <command>: cannot reach the database ..." or
// "keyward <command>: database error (<code>): ...".
void print_storage_error(std::ostream& err, std::string_view command,
                         const storage::StorageError& e);

// For a command about one record named `name` (a client id, a username): `outcome` is the
// repository's answer, a bool or an optional that is false/empty when there is no such
// record. nullopt when the record was there; otherwise the storage failure or "keyward
// <command>: no <kind> '<name>'" is printed and the command's exit code is kExitFailed.
template <class T>
[[nodiscard]] std::optional<int> missing_or_failed(std::ostream& err, std::string_view command,
                                                   std::string_view kind, std::string_view name,
                                                   const Result<T, storage::StorageError>& outcome);

// `keyward <command>` for a list: every record as described, in a JSON array on `out`; or
// the storage failure, kExitFailed.
template <class Record, class Describe>
[[nodiscard]] int print_list(std::ostream& out, std::ostream& err, std::string_view command,
                             const Result<std::vector<Record>, storage::StorageError>& records,
                             Describe describe) {
  if (!records.ok()) {
    print_storage_error(err, command, records.error());
    return kExitFailed;
  }
  auto listed = nlohmann::ordered_json::array();
  for (const auto& record : *records) listed.push_back(describe(record));
  out << listed.dump(2) << "\n";
  return 0;
}

// `args` are the words after "client". `env` gives KEYWARD_* (process_env() in main).
[[nodiscard]] int run_client_command(const std::vector<std::string>& args,
                                     const server::EnvGetter& env, std::ostream& out,
                                     std::ostream& err);

extern const char* const kClientUsage;

void print_no_such(std::ostream& err, std::string_view command, std::string_view kind,
                   std::string_view name);

template <class T>
std::optional<int> missing_or_failed(std::ostream& err, std::string_view command,
                                     std::string_view kind, std::string_view name,
                                     const Result<T, storage::StorageError>& outcome) {
  if (!outcome.ok()) {
    print_storage_error(err, command, outcome.error());
    return kExitFailed;
  }
  if (!static_cast<bool>(outcome.value())) {
    print_no_such(err, command, kind, name);
    return kExitFailed;
  }
  return std::nullopt;
}

}  // namespace keyward::cli
