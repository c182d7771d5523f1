#pragma once
// The sample resource server's own data (resource_server/migrations/): a note per user and a
// shared board. A separate service would have its own data layer; this one is a small pool of
// libpqxx connections in the schema sample_rs. libpqxx stays inside note_store.cpp.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::rs {

inline constexpr std::string_view kSampleSchema = "sample_rs";

struct Note {
  std::string text;
  std::string updated_at;  // RFC 3339 UTC
};

struct BoardMessage {
  std::string message;
  std::string updated_by;  // the sub that wrote it
  std::string updated_at;  // RFC 3339 UTC
};

// `conninfo` with search_path set to sample_rs (added to any `options` it already has).
[[nodiscard]] Result<std::string, std::string> schema_conninfo(std::string_view conninfo);

// CREATE SCHEMA IF NOT EXISTS sample_rs, then the files in `dir` with Keyward's migration
// runner (storage::migrate) inside that schema. Returns the file names applied.
[[nodiscard]] Result<std::vector<std::string>, std::string> migrate_sample_schema(
    std::string_view conninfo, const std::filesystem::path& dir);

class NoteStore {
 public:
  // Connects lazily; `conninfo` as given (schema_conninfo is applied here).
  [[nodiscard]] static Result<std::unique_ptr<NoteStore>, std::string> open(
      std::string_view conninfo, size_t max_connections);
  ~NoteStore();
  NoteStore(const NoteStore&) = delete;
  NoteStore& operator=(const NoteStore&) = delete;

  [[nodiscard]] Result<std::optional<Note>, std::string> note(std::string_view sub);
  [[nodiscard]] Result<Note, std::string> set_note(std::string_view sub, std::string_view text);
  [[nodiscard]] Result<BoardMessage, std::string> board();
  [[nodiscard]] Result<BoardMessage, std::string> set_board(std::string_view sub,
                                                            std::string_view message);
  // nullopt when SELECT 1 succeeds, else why not.
  [[nodiscard]] std::optional<std::string> check_ready();

 private:
  struct Impl;
  explicit NoteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyward::rs
