// Alembic projects in the CLI: starting the helper in the project's Python for a run, and what
// alembic_version says is applied.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/runner_support.h"
#include "runner/applier/alembic_steps.h"
#include "runner/planner/planner.h"

namespace stairway::cli {

using source::IsAlembic;

// `project = "backend"` under [alembic] in the stairway.toml of `config_flag` (--config) or
// ./stairway.toml (cli/config.h): where the Alembic project is when no directory is given.
std::optional<std::filesystem::path> ConfiguredAlembicProject(const std::string& config_flag = "");

// Where an Alembic project's URL may also come from: its directory's .env, alembic.ini's
// sqlalchemy.url.
UrlLookup LookupFor(const source::MigrationSet& set);

// For revision files whose header is not plain literals: reads it by running the file in the
// project's Python (a helper started on first use, kept for the rest of the load).
source::alembic::PythonHeaderReader HeaderReaderFor(const std::filesystem::path& dir,
                                                    const SourceOptions& source);

// Starts the helper for the set's project in the project's Python (--python, STAIRWAY_PYTHON,
// $VIRTUAL_ENV, .venv/venv, python3). StopError(kInput) naming what was tried when none works.
std::unique_ptr<applier::AlembicSteps> StartAlembic(const source::MigrationSet& set,
                                                    const SourceOptions& source);
// Opens the helper's connection to `url` with the run's timeouts. The driver is the first of
// psycopg2, psycopg, asyncpg the project's Python has, or STAIRWAY_ALEMBIC_DRIVER.
void ConnectAlembic(applier::AlembicSteps& steps, const std::string& url,
                    const applier::Options& options);
// Imports every revision file of `steps` (or of the whole set) before anything is applied.
void PreloadAlembic(applier::AlembicSteps& steps, const std::vector<applier::PreparedStep>& plan);
void PreloadAlembic(applier::AlembicSteps& steps, const source::MigrationSet& set);

// "ab12cd (head)" lines, Alembic's `current` form, for alembic_version's rows.
std::string VersionRowsText(const source::MigrationSet& set, const std::vector<std::string>& rows,
                            bool verbose = false);
// "ab12cd, ef34ab" or "base".
std::string AppliedHeadsText(const source::MigrationSet& set, const planner::AppliedSet& applied);

// upgrade/downgrade of an Alembic project (the live run).
int RunAlembicMigrate(const GlobalOptions& global, const source::MigrationSet& set,
                      const SourceOptions& source, const applier::Options& options,
                      const std::string& target, planner::Direction direction);

// upgrade/downgrade --sql of an Alembic project: each revision rendered offline by the
// project's Alembic (PostgreSQL dialect), with the version-table and history writes a live run
// makes. A revision that cannot be rendered without a database is named in the script and on
// stderr (exit 1); the others are still rendered.
int RunAlembicOffline(const source::MigrationSet& set, const SourceOptions& source,
                      const applier::Options& options, const std::string& target,
                      const std::string& from, planner::Direction direction);

}  // namespace stairway::cli
