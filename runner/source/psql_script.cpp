// psql scripts (sqitch's deploy/revert/verify scripts): meta-commands and variables resolved
// once, here, so the runner, the linter and roundtrip all see the SQL psql would send.
#include "runner/source/psql_script.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include "runner/source/source_file.h"
#include "runner/sql/psql.h"

namespace stairway::source {

std::pair<std::filesystem::path, int> Section::Locate(int line) const {
  if (origins.empty()) return {path, line};
  const int in_sql = line - first_line + 1;
  const Origin* at = &origins.front();
  for (const Origin& o : origins) {
    if (o.line <= in_sql) at = &o;
  }
  return {at->origin, at->origin_line + (in_sql - at->line)};
}

Diagnostic Relocated(const Section& section, Diagnostic d) {
  if (section.origins.empty() || d.pos.line <= 0) return d;
  const auto [path, line] = section.Locate(d.pos.line);
  d.path = path.string();
  d.pos.line = line;
  return d;
}

namespace detail {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxIncludeDepth = 16;

// Output-only commands: nothing reaches the server, so they are dropped.
bool IsOutputCommand(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "echo", "qecho", "warn", "pset", "timing",   "x",        "a",          "t",
      "C",    "f",     "H",    "T",    "encoding", "conninfo", "errverbose", "prompt"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

std::string QuoteLiteral(std::string_view value) {
  const bool backslash = value.find('\\') != std::string_view::npos;
  std::string out = backslash ? " E'" : "'";
  for (char c : value) {
    if (c == '\'' || (backslash && c == '\\')) out += c;
    out += c;
  }
  return out + "'";
}

std::string QuoteIdentifier(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += c;
    out += c;
  }
  return out + "\"";
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// psql's booleans: unique prefixes of true/false/yes/no, on/off, 1/0.
std::optional<bool> ParseBool(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value.empty()) return std::nullopt;
  auto prefix_of = [&](std::string_view word) { return word.starts_with(value); };
  if (prefix_of("true") || prefix_of("yes") || value == "1" || value == "on") return true;
  if (prefix_of("false") || prefix_of("no") || value == "0" || value == "off") return false;
  return std::nullopt;
}

class Expander {
 public:
  explicit Expander(const PsqlContext& context)
      : context_(context), variables_(context.variables) {}

  Expected<Section> Run(const fs::path& path) {
    TRY_STATUS(Expand(path, 0));
    Section section;
    section.sql = std::move(out_);
    section.path = path;
    if (included_) section.origins = std::move(origins_);
    return section;
  }

 private:
  // One \if level: whether the enclosing text runs, whether a branch was taken, and whether
  // the current branch runs.
  struct Conditional {
    bool parent = true;
    bool taken = false;
    bool active = true;
  };

  bool Active() const { return conditionals_.empty() || conditionals_.back().active; }

  void AppendAlways(std::string_view text) {
    out_ += text;
    line_ += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  void AppendLineEnds(std::string_view text) {
    for (char c : text) {
      if (c == '\n') AppendAlways("\n");
    }
  }

  void AppendText(std::string_view text) {
    if (Active()) {
      AppendAlways(text);
    } else {
      AppendLineEnds(text);
    }
  }

  static int LineOf(const SourceFile& file, std::size_t offset) {
    auto it = std::upper_bound(file.lines.begin(), file.lines.end(), offset,
                               [](std::size_t o, const SourceLine& l) { return o < l.offset; });
    return it == file.lines.begin() ? 1 : std::prev(it)->number;
  }

  // The value of :name / :'name' / :"name" as psql would put it in the text.
  Expected<std::string> Substitute(const SourceFile& file, int line,
                                   const sql::PsqlVariable& v) const {
    auto it = variables_.find(v.name);
    if (it == variables_.end()) {
      if (v.kind == sql::PsqlVariable::Kind::kPlain) return std::string(":" + v.name);
      const std::string shown = v.kind == sql::PsqlVariable::Kind::kLiteral
                                    ? fmt::format(":'{}'", v.name)
                                    : fmt::format(":\"{}\"", v.name);
      return InputError(file.path, line, fmt::format("psql variable {} is not set", shown),
                        fmt::format("set it with \\set {} <value> before this line, or under "
                                    "[deploy \"variables\"] in sqitch.conf",
                                    v.name));
    }
    switch (v.kind) {
      case sql::PsqlVariable::Kind::kLiteral:
        return QuoteLiteral(it->second);
      case sql::PsqlVariable::Kind::kIdentifier:
        return QuoteIdentifier(it->second);
      case sql::PsqlVariable::Kind::kPlain:
        break;
    }
    return it->second;
  }

  // Splits a meta-command's arguments as psql does: blanks separate them, '...' quotes (''
  // for a quote), :name / :'name' / :"name" interpolate.
  Expected<std::vector<std::string>> Arguments(const SourceFile& file, int line,
                                               std::string_view text) const {
    std::vector<std::string> args;
    std::size_t i = 0;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (true) {
      while (i < text.size() && blank(text[i])) ++i;
      if (i >= text.size()) break;
      std::string arg;
      while (i < text.size() && !blank(text[i])) {
        const char c = text[i];
        if (c == '`') {
          return InputError(file.path, line,
                            "a backquoted shell command in a psql meta-command is not run by "
                            "stairway",
                            "put the value in the script, or set the variable in sqitch.conf");
        }
        if (c == '\'') {
          ++i;
          while (i < text.size()) {
            if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
              arg += '\'';
              i += 2;
            } else if (text[i] == '\'') {
              break;
            } else {
              arg += text[i++];
            }
          }
          if (i >= text.size()) {
            return InputError(file.path, line, "unterminated quote in a psql meta-command",
                              "close the quote");
          }
          ++i;
          continue;
        }
        if (c == ':' && i + 1 < text.size()) {
          const char q = text[i + 1];
          std::size_t name_begin = i + 1;
          if (q == '\'' || q == '"') ++name_begin;
          std::size_t name_end = name_begin;
          while (name_end < text.size() && IsNameChar(text[name_end])) ++name_end;
          const bool quoted = q == '\'' || q == '"';
          if (name_end > name_begin &&
              (!quoted || (name_end < text.size() && text[name_end] == q))) {
            sql::PsqlVariable v;
            v.name = std::string(text.substr(name_begin, name_end - name_begin));
            v.kind = q == '\''  ? sql::PsqlVariable::Kind::kLiteral
                     : q == '"' ? sql::PsqlVariable::Kind::kIdentifier
                                : sql::PsqlVariable::Kind::kPlain;
            ASSIGN_OR_RETURN(const std::string value, Substitute(file, line, v));
            arg += value;
            i = quoted ? name_end + 1 : name_end;
            continue;
          }
        }
        arg += c;
        ++i;
      }
      args.push_back(std::move(arg));
    }
    return args;
  }

  Expected<bool> Condition(const SourceFile& file, int line, std::string_view name,
                           const std::vector<std::string>& args) const {
    std::string joined;
    for (const std::string& a : args) joined += a;
    const std::optional<bool> value = ParseBool(joined);
    if (!value) {
      return InputError(
          file.path, line,
          fmt::format("\\{} needs a boolean (true/false, on/off, 1/0), got \"{}\"", name, joined),
          "set the variable it reads to a boolean");
    }
    return *value;
  }

  Status Unsupported(const SourceFile& file, int line, std::string_view name) const {
    const std::string todo =
        name == "copy"
            ? "stairway sends SQL to the server only: load the data with COPY ... FROM STDIN "
              "outside the migration, or with INSERT statements in the script"
            : "stairway runs the SQL of the script, not psql's client commands: remove it or "
              "write it as SQL";
    return InputError(file.path, line,
                      fmt::format("psql meta-command \\{} is not supported (stairway handles "
                                  "\\i, \\ir, \\set, \\unset, \\if/\\elif/\\else/\\endif and "
                                  "output commands such as \\echo)",
                                  name),
                      todo);
  }

  // Handles one meta-command at [cmd.offset, cmd.end) of `file`.
  Status Command(const SourceFile& file, int line, const sql::PsqlMetaCommand& cmd, int depth,
                 bool* included) {
    std::string_view text =
        std::string_view(file.text).substr(cmd.offset + 1, cmd.end - cmd.offset - 1);
    std::size_t name_end = 0;
    while (name_end < text.size() && !std::isspace(static_cast<unsigned char>(text[name_end]))) {
      ++name_end;
    }
    const std::string name(text.substr(0, name_end));
    const std::string_view rest = text.substr(name_end);
    const bool conditional = name == "if" || name == "elif" || name == "else" || name == "endif";
    if (!conditional && !Active()) return Status::Ok();
    if (name.find('\\') != std::string::npos || rest.find("\\\\") != std::string_view::npos) {
      return InputError(file.path, line,
                        "a psql meta-command followed by more on its line (\\\\) is not supported",
                        "put each meta-command and each statement on a line of its own");
    }
    if (name == "if") {
      Conditional c;
      c.parent = Active();
      if (c.parent) {
        ASSIGN_OR_RETURN(const std::vector<std::string> args, Arguments(file, line, rest));
        ASSIGN_OR_RETURN(c.taken, Condition(file, line, name, args));
      }
      c.active = c.parent && c.taken;
      conditionals_.push_back(c);
      return Status::Ok();
    }
    if (conditional && conditionals_.size() <= file_conditionals_) {
      return InputError(file.path, line, fmt::format("\\{} without \\if", name),
                        "add the \\if, or remove this line");
    }
    if (name == "elif") {
      Conditional& c = conditionals_.back();
      c.active = false;
      if (c.parent && !c.taken) {
        ASSIGN_OR_RETURN(const std::vector<std::string> args, Arguments(file, line, rest));
        ASSIGN_OR_RETURN(c.active, Condition(file, line, name, args));
        c.taken = c.active;
      }
      return Status::Ok();
    }
    if (name == "else") {
      Conditional& c = conditionals_.back();
      c.active = c.parent && !c.taken;
      c.taken = true;
      return Status::Ok();
    }
    if (name == "endif") {
      conditionals_.pop_back();
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::vector<std::string> args, Arguments(file, line, rest));
    if (name == "set") {
      if (args.empty()) return Status::Ok();  // lists the variables
      std::string value;
      for (std::size_t i = 1; i < args.size(); ++i) value += args[i];
      variables_[args[0]] = std::move(value);
      return Status::Ok();
    }
    if (name == "unset") {
      if (!args.empty()) variables_.erase(args[0]);
      return Status::Ok();
    }
    if (IsOutputCommand(name)) return Status::Ok();
    if (name == "i" || name == "include" || name == "ir" || name == "include_relative") {
      if (args.size() != 1) {
        return InputError(file.path, line, fmt::format("\\{} needs one file name", name),
                          "name the file to include");
      }
      const bool relative = name == "ir" || name == "include_relative";
      fs::path target(args[0]);
      if (target.is_relative()) {
        target = (relative ? file.path.parent_path() : context_.working_dir) / target;
      }
      target = target.lexically_normal();
      const fs::path inside = target.lexically_relative(context_.project_dir.lexically_normal());
      if (inside.empty() || *inside.begin() == "..") {
        return InputError(file.path, line,
                          fmt::format("\\{} {} names a file outside the project ({})", name,
                                      args[0], context_.project_dir.string()),
                          "keep included files inside the project");
      }
      if (depth + 1 >= kMaxIncludeDepth) {
        return InputError(file.path, line,
                          fmt::format("\\{} {}: files include each other more than {} deep", name,
                                      args[0], kMaxIncludeDepth),
                          "look for a file that includes itself");
      }
      std::error_code ec;
      if (!fs::is_regular_file(target, ec)) {
        return InputError(file.path, line,
                          fmt::format("\\{} {}: no such file ({})", name, args[0], target.string()),
                          relative ? "\\ir paths are relative to the including file"
                                   : "\\i paths are relative to the sqitch project directory; "
                                     "use \\ir for paths relative to the script");
      }
      *included = true;
      return Expand(target, depth + 1);
    }
    return Unsupported(file, line, name);
  }

  Status Expand(const fs::path& path, int depth) {
    ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> file, ReadSourceFile(path));
    const std::string_view text = file->text;
    const sql::PsqlScan scan = sql::ScanPsql(text);
    const std::size_t outer_conditionals = file_conditionals_;
    file_conditionals_ = conditionals_.size();
    if (!out_.empty() && out_.back() != '\n') AppendAlways("\n");
    origins_.push_back({line_, path, 1});
    std::size_t pos = 0;
    std::size_t next_variable = 0;
    for (const sql::PsqlMetaCommand& cmd : scan.commands) {
      for (; next_variable < scan.variables.size() &&
             scan.variables[next_variable].offset < cmd.offset;
           ++next_variable) {
        const sql::PsqlVariable& v = scan.variables[next_variable];
        AppendText(text.substr(pos, v.offset - pos));
        if (Active()) {
          ASSIGN_OR_RETURN(const std::string value, Substitute(*file, LineOf(*file, v.offset), v));
          AppendAlways(value);
        }
        pos = v.offset + v.length;
      }
      AppendText(text.substr(pos, cmd.offset - pos));
      const int line = LineOf(*file, cmd.offset);
      bool included = false;
      TRY_STATUS(Command(*file, line, cmd, depth, &included));
      pos = cmd.end;
      if (included) {
        included_ = true;
        // The text after the command line is this file's again, from the next line on.
        if (!out_.empty() && out_.back() != '\n') AppendAlways("\n");
        const std::size_t nl = text.find('\n', pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        origins_.push_back({line_, path, line + 1});
      }
    }
    for (; next_variable < scan.variables.size(); ++next_variable) {
      const sql::PsqlVariable& v = scan.variables[next_variable];
      AppendText(text.substr(pos, v.offset - pos));
      if (Active()) {
        ASSIGN_OR_RETURN(const std::string value, Substitute(*file, LineOf(*file, v.offset), v));
        AppendAlways(value);
      }
      pos = v.offset + v.length;
    }
    AppendText(text.substr(pos));
    if (conditionals_.size() > file_conditionals_) {
      return InputError(path, 0, "\\if without \\endif (psql needs it in the same file)",
                        "add the \\endif");
    }
    file_conditionals_ = outer_conditionals;
    return Status::Ok();
  }

  const PsqlContext& context_;
  PsqlVariables variables_;
  std::vector<Conditional> conditionals_;
  std::size_t file_conditionals_ = 0;  // conditionals_ open when the current file started
  std::string out_;
  int line_ = 1;  // line of `out_` the next text lands on
  std::vector<Section::Origin> origins_;
  bool included_ = false;
};

}  // namespace

Expected<Section> ReadPsqlScript(const std::filesystem::path& path, const PsqlContext& context) {
  Expander expander(context);
  return expander.Run(path);
}

}  // namespace detail
}  // namespace stairway::source
