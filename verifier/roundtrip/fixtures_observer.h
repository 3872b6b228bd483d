// Data survival: SQL data fixtures named after a revision are loaded right after it is applied
// up; every later up, down and re-up must keep their rows and the values of surviving columns.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/source/migration.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::verifier::roundtrip {

// The fixture file of `revision` in `dir`, or nullopt. Names tried, in order: the label
// ("0003_create_chat_threads.sql"), the version ("0003.sql"), then any "<v>.sql" or
// "<v>_<anything>.sql" whose <v> compares equal to the version ("3.sql").
std::optional<std::filesystem::path> FindFixture(const std::filesystem::path& dir,
                                                 const source::Revision& revision);

// What a revision changes in fixture rows is data loss (a finding), unless the revision declares
// its data change (Revision::data_change, or `declared`: version -> reason, from the options):
// then each change is a note naming the reason.
class FixturesObserver : public PhaseObserver {
 public:
  explicit FixturesObserver(std::filesystem::path dir,
                            std::map<std::string, std::string> declared = {})
      : dir_(std::move(dir)), declared_(std::move(declared)) {}
  void AtPhase(PhaseContext& context) override;

  struct ColumnState {
    std::int64_t non_null = 0;
    std::string hash;
  };
  struct TableState {
    std::int64_t rows = 0;
    std::map<std::string, ColumnState> columns;  // by column name
  };

 private:
  void Load(PhaseContext& context, const std::filesystem::path& file);
  void Check(PhaseContext& context);
  // A change `what` seen after the context's step: a data-loss finding or a data-change note.
  void Report(PhaseContext& context, const std::string& what) const;

  std::filesystem::path dir_;
  std::map<std::string, std::string> declared_;  // version -> reason
  // Tables fixtures inserted into ("public.users") and their state when last checked.
  std::map<std::string, TableState> tables_;
  std::map<std::string, std::string> loaded_by_;  // table -> label of the fixture's revision
};

}  // namespace stairway::verifier::roundtrip
