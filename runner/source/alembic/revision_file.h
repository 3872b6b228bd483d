// Reading one Alembic revision file without Python: its header assignments (revision,
// down_revision, branch_labels, depends_on) as literals, its docstring and its upgrade() and
// downgrade() definitions. Only module-level text is read; the rest of the file may not even
// be valid Python (the runner reports import errors when it runs the revision).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::source::alembic {

// The graph facts of a revision: what Alembic reads from the module's attributes.
struct RevisionHeader {
  std::string revision;
  std::vector<std::string> down_revisions;  // empty: a base revision; two or more: a merge
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;  // revision ids, id prefixes or branch labels, as written
  // Lines of the assignments (0: absent, or read through Python).
  int revision_line = 0;
  int down_revision_line = 0;
  int branch_labels_line = 0;
  int depends_on_line = 0;
};

// Reads a header by running the file in the project's Python (the lead's helper), for files
// whose header is not plain literals.
using PythonHeaderReader = std::function<Expected<RevisionHeader>(const std::filesystem::path&)>;

struct FunctionInfo {
  int line = 0;         // line of `def`
  bool empty = false;   // body only `pass`, `...`, strings (docstrings); comments do not count
  bool raises = false;  // the first statement after any docstring is `raise`
};

// What the literal reader finds in a file's text.
struct RevisionScan {
  RevisionHeader header;
  bool has_revision = false;
  bool has_down_revision = false;
  // Header names assigned in a way the literal reader does not evaluate (an expression, a
  // conditional, tuple unpacking), with the line of the first such assignment.
  std::vector<std::string> not_literal;
  int not_literal_line = 0;
  std::string message;      // the docstring's first paragraph, as Alembic's `doc`
  std::string create_date;  // the docstring's "Create Date:" value
  std::optional<FunctionInfo> upgrade;
  std::optional<FunctionInfo> downgrade;
};

// Scans Python source (UTF-8, byte order mark already dropped). Never fails.
RevisionScan ScanRevisionSource(std::string_view source);

// A revision file as the loader uses it.
struct RevisionFile {
  std::filesystem::path path;
  std::string text;  // the file's contents (byte order mark dropped)
  RevisionScan scan;
  bool read_by_python = false;  // scan.header came from the PythonHeaderReader
};

// Reads and scans `path`. Errors (kInput, "path[:line]: ...; ..."): unreadable or not UTF-8;
// no `revision` assignment (and a name that is not a legacy "<hex>.py"); no `down_revision`;
// a header that is not plain literals when `python` is empty (else `python` reads it).
Expected<RevisionFile> ReadRevisionFile(const std::filesystem::path& path,
                                        const PythonHeaderReader& python = nullptr);

}  // namespace stairway::source::alembic
