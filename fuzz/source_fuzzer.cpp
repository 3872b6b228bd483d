// libFuzzer target over what stairway reads from outside before any SQL runs: the migration
// directory readers (file names, markers, sections, versions and the revision graph of every
// SQL format) and the password masking of connection URLs. Must not crash, hang or leak.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "runner/applier/applier.h"
#include "runner/db/session.h"
#include "runner/source/migration.h"

namespace {

namespace fs = std::filesystem;
using stairway::source::Format;

// A file name the input asks for, kept to a flat, plain name (no '/', no leading '.') and away
// from the Alembic files, whose reader runs Python.
std::string SafeName(std::string_view raw) {
  std::string name;
  for (char c : raw) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '-';
    if (plain && name.size() < 80) name += c;
  }
  while (!name.empty() && name.front() == '.') name.erase(0, 1);
  if (name.find(".py") != std::string::npos || name.find(".ini") != std::string::npos ||
      name.find(".toml") != std::string::npos) {
    return "";
  }
  return name;
}

// The input is "name\ncontent\0name\ncontent\0...": each record one file.
void WriteTree(const fs::path& dir, std::string_view input) {
  int files = 0;
  while (!input.empty() && files < 16) {
    std::size_t end = input.find('\0');
    if (end == std::string_view::npos) end = input.size();
    const std::string_view record = input.substr(0, end);
    input.remove_prefix(end == input.size() ? end : end + 1);
    const std::size_t newline = record.find('\n');
    const std::string name = SafeName(record.substr(0, newline));
    if (name.empty()) continue;
    std::ofstream(dir / name, std::ios::binary)
        << (newline == std::string_view::npos ? std::string_view() : record.substr(newline + 1));
    ++files;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Any text as a connection URL or key=value string (the masking table lives in the unit tests).
  (void)stairway::db::MaskPassword(input);

  static const fs::path root = [] {
    char templ[] = "/tmp/stairway-fuzz-XXXXXX";
    const char* made = mkdtemp(templ);
    return fs::path(made != nullptr ? made : "/tmp/stairway-fuzz-fallback");
  }();
  const fs::path dir = root / "m";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir, ignored);
  WriteTree(dir, input);
  for (Format format : {Format::kAuto, Format::kStairway, Format::kGolangMigrate, Format::kFlyway,
                        Format::kGoose}) {
    auto set = stairway::source::LoadMigrationSet(dir, format);
    if (!set.ok() || set.value().format == Format::kAlembic) continue;
    // What upgrade does next with a set it read: split and check every section.
    for (const stairway::source::Revision& rev : set.value().revisions) {
      (void)stairway::applier::PrepareStep({&rev, stairway::history::Direction::kUp});
      if (rev.down) {
        (void)stairway::applier::PrepareStep({&rev, stairway::history::Direction::kDown});
      }
    }
  }
  return 0;
}
