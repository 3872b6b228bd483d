// Reading an Alembic project's configuration without Python; see project.h.
#include "runner/source/alembic/project.h"

#include <toml++/toml.h>

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "runner/common/file.h"
#include "runner/source/alembic/python_tokens.h"
#include "runner/source/source_file.h"

namespace stairway::source::alembic {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kDefaultSection = "DEFAULT";
constexpr std::string_view kUrlPlaceholder = "driver://user:pass@localhost/dbname";
constexpr int kMaxInterpolationDepth = 10;  // configparser's MAX_INTERPOLATION_DEPTH

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool IsRegularFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// A location from the config: absolute as written, else relative to the config's directory
// (Alembic takes it relative to the working directory, which is that directory when users run
// `alembic` next to alembic.ini, as they do).
fs::path Resolve(const fs::path& base, const std::string& location) {
  const fs::path p(location);
  return AbsoluteNormal(p.is_absolute() ? p : base / p);
}

}  // namespace

fs::path AbsoluteNormal(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) abs = p;
  abs = abs.lexically_normal();
  if (abs.has_relative_path() && abs.filename().empty()) abs = abs.parent_path();
  return abs;
}

Expected<IniFile> IniFile::Read(const fs::path& path,
                                const std::map<std::string, std::string>& defaults) {
  ASSIGN_OR_RETURN(std::unique_ptr<detail::SourceFile> source, detail::ReadSourceFile(path));
  return Parse(source->text, path, defaults);
}

Expected<IniFile> IniFile::Parse(std::string_view text, const fs::path& path,
                                 const std::map<std::string, std::string>& defaults) {
  IniFile ini;
  ini.path_ = path;
  auto& default_section = ini.sections_[std::string(kDefaultSection)];
  for (const auto& [key, value] : defaults) default_section[Lower(key)] = Entry{value, 0};
  std::map<std::string, Entry>* section = nullptr;
  std::string section_name;
  std::string key;  // the key continuation lines add to
  std::size_t indent_level = 0;
  int pending_blank_lines = 0;  // blank lines inside a value count only when text follows
  std::size_t pos = 0;
  int number = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view value = Strip(line);
    if (value.starts_with('#') || value.starts_with(';')) continue;
    if (value.empty()) {
      if (section != nullptr && !key.empty()) ++pending_blank_lines;
      continue;
    }
    const std::size_t cur_indent = line.find_first_not_of(" \t\f\v");
    if (section != nullptr && !key.empty() && cur_indent > indent_level) {
      Entry& entry = (*section)[key];
      // configparser joins the lines with '\n', blank ones included ("key =" then indented
      // lines gives a value that starts with '\n').
      entry.raw.append(static_cast<std::size_t>(pending_blank_lines) + 1, '\n');
      entry.raw += value;
      pending_blank_lines = 0;
      continue;
    }
    pending_blank_lines = 0;
    indent_level = cur_indent;
    if (value.front() == '[' && value.find(']') != std::string_view::npos) {
      section_name = std::string(value.substr(1, value.rfind(']') - 1));
      section = &ini.sections_[section_name];
      key.clear();
      continue;
    }
    if (section == nullptr) {
      return detail::InputError(path, number, "text before the first [section] header",
                                "start the file with a section such as [alembic]");
    }
    const std::size_t delimiter = value.find_first_of("=:");
    if (delimiter == std::string_view::npos || delimiter == 0) {
      return detail::InputError(path, number,
                                fmt::format("cannot read \"{}\" as \"key = value\"", value),
                                "fix the line, or comment it out with #");
    }
    key = Lower(Strip(value.substr(0, delimiter)));
    if (auto it = section->find(key); it != section->end() && it->second.line > 0) {
      return detail::InputError(path, number,
                                fmt::format("{} is set twice in [{}] (also on line {})", key,
                                            section_name, it->second.line),
                                "keep one of them (Alembic refuses the file too)");
    }
    (*section)[key] = Entry{std::string(Strip(value.substr(delimiter + 1))), number};
  }
  return ini;
}

const IniFile::Entry* IniFile::Find(const std::string& section, const std::string& key) const {
  for (const std::string& s : {section, std::string(kDefaultSection)}) {
    auto it = sections_.find(s);
    if (it == sections_.end()) continue;
    auto e = it->second.find(key);
    if (e != it->second.end()) return &e->second;
  }
  return nullptr;
}

int IniFile::LineOf(const std::string& section, const std::string& key) const {
  const Entry* e = Find(section, Lower(key));
  return e == nullptr ? 0 : e->line;
}

Expected<std::optional<std::string>> IniFile::Get(const std::string& section,
                                                  const std::string& key) const {
  const Entry* e = Find(section, Lower(key));
  if (e == nullptr) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string value, Interpolate(section, *e, 1));
  return std::optional<std::string>(std::move(value));
}

Expected<std::string> IniFile::Interpolate(const std::string& section, const Entry& entry,
                                           int depth) const {
  const auto fail = [&](std::string what) {
    return detail::InputError(path_, entry.line, what,
                              "write %% for a literal %, or %(name)s for another key's value");
  };
  if (depth > kMaxInterpolationDepth) return fail("interpolation nests too deeply");
  std::string out;
  std::string_view rest = entry.raw;
  while (!rest.empty()) {
    const std::size_t p = rest.find('%');
    if (p == std::string_view::npos) {
      out += rest;
      break;
    }
    out += rest.substr(0, p);
    rest.remove_prefix(p);
    if (rest.starts_with("%%")) {
      out += '%';
      rest.remove_prefix(2);
      continue;
    }
    const std::size_t close = rest.find(")s");
    if (!rest.starts_with("%(") || close == std::string_view::npos || close == 2 ||
        rest.substr(2, close - 2).find(')') != std::string_view::npos) {
      return fail(fmt::format("bad %-reference in \"{}\"", entry.raw));
    }
    const std::string name = Lower(rest.substr(2, close - 2));
    rest.remove_prefix(close + 2);
    const Entry* ref = Find(section, name);
    if (ref == nullptr) {
      return fail(fmt::format("%({})s names no key in [{}] or [DEFAULT]", name, section));
    }
    if (ref->raw.find('%') == std::string::npos) {
      out += ref->raw;
    } else {
      Entry nested = *ref;
      if (nested.line == 0) nested.line = entry.line;
      ASSIGN_OR_RETURN(std::string v, Interpolate(section, nested, depth + 1));
      out += v;
    }
  }
  return out;
}

namespace {

std::vector<std::string> SplitOn(const std::string& value, std::string_view delimiters) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t end = value.find_first_of(delimiters, pos);
    if (end == std::string::npos) end = value.size();
    if (end > pos) out.push_back(value.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> SplitVersionLocations(
    const std::string& value, const std::optional<std::string>& separator) {
  if (!separator) return SplitOn(value, " ,");
  if (*separator == "os" || *separator == ":") return SplitOn(value, ":");
  if (*separator == ";") return SplitOn(value, ";");
  if (*separator == "space") return SplitOn(value, " ");
  if (*separator == "newline") return SplitOn(value, "\n");
  return std::nullopt;
}

std::vector<std::string> SplitSysPath(const std::string& value) {
  return SplitOn(value, " ,:");
}

namespace {

// `pkg.sub:dir` resolved without importing: the package as a folder next to the config (or in
// src/ or a prepend_sys_path entry).
std::optional<fs::path> ResolvePackageResource(const std::string& location, const fs::path& here,
                                               const std::vector<fs::path>& sys_path) {
  const std::size_t colon = location.find(':');
  std::string package = location.substr(0, colon);
  std::replace(package.begin(), package.end(), '.', '/');
  fs::path rel(package);
  for (const std::string& part : SplitOn(location.substr(colon + 1), ":")) rel /= part;
  std::vector<fs::path> bases = sys_path;
  bases.push_back(here);
  bases.push_back(here / "src");
  for (const fs::path& base : bases) {
    if (IsRegularFile(base / package / "__init__.py") && IsDirectory(base / rel)) {
      return AbsoluteNormal(base / rel);
    }
  }
  return std::nullopt;
}

Status CheckScriptLocation(const AlembicProject& p, const std::string& written, int line) {
  if (IsDirectory(p.script_location)) return Status::Ok();
  // Shown next to the config file as the user named it, not as an absolute path.
  const fs::path shown =
      fs::path(written).is_absolute() ? fs::path(written) : p.config_file.parent_path() / written;
  std::error_code ec;
  return detail::InputError(
      p.config_file, line,
      fmt::format("script_location \"{}\" {} ({})", written,
                  fs::exists(p.script_location, ec) ? "is not a directory" : "does not exist",
                  shown.lexically_normal().string()),
      "fix script_location; a relative path counts from the config "
      "file's directory");
}

// Sets script_location from `written` (as in the config), resolving the package form.
Status SetScriptLocation(AlembicProject& p, const std::string& written, int line) {
  if (!fs::path(written).is_absolute() && written.find(':') != std::string::npos) {
    std::optional<fs::path> found =
        ResolvePackageResource(written, p.project_dir, p.prepend_sys_path);
    if (!found) {
      return detail::InputError(
          p.config_file, line,
          fmt::format("script_location \"{}\" names a package resource that stairway cannot "
                      "find without importing Python",
                      written),
          "write the script directory as a path (%(here)s/...), or run stairway in the "
          "directory that holds the package");
    }
    p.script_location = *found;
    return Status::Ok();
  }
  p.script_location = Resolve(p.project_dir, written);
  return CheckScriptLocation(p, written, line);
}

void SetUrl(AlembicProject& p, const std::optional<std::string>& url) {
  if (url && !Strip(*url).empty() && Strip(*url) != kUrlPlaceholder) {
    p.sqlalchemy_url = std::string(Strip(*url));
  }
}

void DefaultVersionLocations(AlembicProject& p) {
  if (p.version_locations.empty()) p.version_locations.push_back(p.script_location / "versions");
}

}  // namespace

Expected<AlembicProject> ReadAlembicIni(const fs::path& ini_path) {
  AlembicProject p;
  p.config_file = ini_path;
  p.project_dir = AbsoluteNormal(ini_path).parent_path();
  ASSIGN_OR_RETURN(const IniFile ini, IniFile::Read(ini_path, {{"here", p.project_dir.string()}}));
  const std::string section = "alembic";
  if (!ini.HasSection(section)) {
    return detail::InputError(ini_path, 0, "no [alembic] section",
                              "add an [alembic] section with script_location, or pass the "
                              "directory whose alembic.ini configures your migrations");
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> script_location,
                   ini.Get(section, "script_location"));
  if (!script_location || script_location->empty()) {
    return detail::InputError(ini_path, 0, "[alembic] has no script_location",
                              "add script_location = <the folder that holds env.py>");
  }
  // The path separator setting of Alembic 1.16 (path_separator) covers both lists; older
  // files name version_path_separator. The 1.8 template's "os  # Use os.pathsep..." carries
  // a comment that configparser keeps: it is dropped here.
  ASSIGN_OR_RETURN(std::optional<std::string> separator, ini.Get(section, "path_separator"));
  std::string separator_key = "path_separator";
  if (!separator) {
    ASSIGN_OR_RETURN(separator, ini.Get(section, "version_path_separator"));
    separator_key = "version_path_separator";
  }
  if (separator) {
    const std::size_t comment = separator->find(" #");
    if (comment != std::string::npos)
      *separator = std::string(Strip(separator->substr(0, comment)));
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> sys_path, ini.Get(section, "prepend_sys_path"));
  if (sys_path) {
    std::vector<std::string> parts;
    if (separator_key == "path_separator" && separator) {
      parts = SplitVersionLocations(*sys_path, separator).value_or(std::vector<std::string>());
    } else {
      parts = SplitSysPath(*sys_path);
    }
    for (const std::string& part : parts)
      p.prepend_sys_path.push_back(Resolve(p.project_dir, part));
  }
  TRY_STATUS(SetScriptLocation(p, *script_location, ini.LineOf(section, "script_location")));
  ASSIGN_OR_RETURN(const std::optional<std::string> locations,
                   ini.Get(section, "version_locations"));
  if (locations && !locations->empty()) {
    std::optional<std::vector<std::string>> parts = SplitVersionLocations(*locations, separator);
    if (!parts) {
      return detail::InputError(ini_path, ini.LineOf(section, separator_key),
                                fmt::format("{} \"{}\" is not one of os, :, ;, space, newline",
                                            separator_key, *separator),
                                "use one of those (os is ':' here)");
    }
    for (const std::string& part : *parts) {
      p.version_locations.push_back(Resolve(p.project_dir, part));
    }
  }
  DefaultVersionLocations(p);
  ASSIGN_OR_RETURN(const std::optional<std::string> recursive,
                   ini.Get(section, "recursive_version_locations"));
  p.recursive_version_locations = recursive && *recursive == "true";
  ASSIGN_OR_RETURN(const std::optional<std::string> url, ini.Get(section, "sqlalchemy.url"));
  SetUrl(p, url);
  ReadEnvPyVersionTable(p);
  return p;
}

namespace {

std::string ExpandHere(std::string s, const fs::path& here) {
  const std::string token = "%(here)s";
  for (std::size_t at = 0; (at = s.find(token, at)) != std::string::npos;) {
    s.replace(at, token.size(), here.string());
    at += here.string().size();
  }
  return s;
}

// A string or a list of strings from [tool.alembic]; Alembic 1.16 wants lists for the path
// lists, a plain string is accepted too.
Expected<std::vector<std::string>> TomlStrings(const toml::node& node, const fs::path& path,
                                               std::string_view key) {
  std::vector<std::string> out;
  if (auto s = node.value<std::string>()) {
    out.push_back(*s);
    return out;
  }
  const toml::array* array = node.as_array();
  if (array != nullptr) {
    for (const toml::node& item : *array) {
      auto s = item.value<std::string>();
      if (!s) break;
      out.push_back(*s);
    }
    if (out.size() == array->size()) return out;
  }
  return detail::InputError(path, static_cast<int>(node.source().begin.line),
                            fmt::format("[tool.alembic] {} must be a list of strings", key),
                            "write it like [\"%(here)s/alembic/versions\"]");
}

}  // namespace

Expected<std::optional<AlembicProject>> ReadPyprojectAlembic(const fs::path& toml_path) {
  toml::table root;
  try {
    root = toml::parse_file(toml_path.string());
  } catch (const toml::parse_error& e) {
    return detail::InputError(toml_path, static_cast<int>(e.source().begin.line),
                              std::string(e.description()), "fix the TOML syntax");
  }
  const toml::table* tool = root["tool"].as_table();
  const toml::table* table = tool == nullptr ? nullptr : (*tool)["alembic"].as_table();
  if (table == nullptr) return std::optional<AlembicProject>();
  AlembicProject p;
  p.config_file = toml_path;
  p.project_dir = AbsoluteNormal(toml_path).parent_path();
  const toml::node* script_location = table->get("script_location");
  std::optional<std::string> written =
      script_location == nullptr ? std::nullopt : script_location->value<std::string>();
  if (!written || written->empty()) {
    return detail::InputError(toml_path, static_cast<int>(table->source().begin.line),
                              "[tool.alembic] has no script_location string",
                              "add script_location = \"%(here)s/alembic\"");
  }
  if (const toml::node* n = table->get("prepend_sys_path")) {
    ASSIGN_OR_RETURN(const std::vector<std::string> parts,
                     TomlStrings(*n, toml_path, "prepend_sys_path"));
    for (const std::string& part : parts) {
      p.prepend_sys_path.push_back(Resolve(p.project_dir, ExpandHere(part, p.project_dir)));
    }
  }
  TRY_STATUS(SetScriptLocation(p, ExpandHere(*written, p.project_dir),
                               static_cast<int>(script_location->source().begin.line)));
  if (const toml::node* n = table->get("version_locations")) {
    ASSIGN_OR_RETURN(const std::vector<std::string> parts,
                     TomlStrings(*n, toml_path, "version_locations"));
    for (const std::string& part : parts) {
      p.version_locations.push_back(Resolve(p.project_dir, ExpandHere(part, p.project_dir)));
    }
  }
  DefaultVersionLocations(p);
  if (const toml::node* n = table->get("recursive_version_locations")) {
    p.recursive_version_locations = n->value<bool>().value_or(false);
  }
  // sqlalchemy.url stays in alembic.ini's [alembic] even with [tool.alembic] (Alembic 1.16).
  const fs::path ini = p.project_dir / "alembic.ini";
  if (IsRegularFile(ini)) {
    ASSIGN_OR_RETURN(const IniFile file, IniFile::Read(ini, {{"here", p.project_dir.string()}}));
    if (file.HasSection("alembic")) {
      ASSIGN_OR_RETURN(const std::optional<std::string> url, file.Get("alembic", "sqlalchemy.url"));
      SetUrl(p, url);
    }
  }
  ReadEnvPyVersionTable(p);
  return std::optional<AlembicProject>(std::move(p));
}

namespace {

bool IsScriptDirectory(const fs::path& dir) {
  return IsRegularFile(dir / "env.py") && IsDirectory(dir / "versions");
}

}  // namespace

Expected<AlembicProject> ReadScriptDirectory(const fs::path& dir) {
  const fs::path abs = AbsoluteNormal(dir);
  const fs::path ini = abs.parent_path() / "alembic.ini";
  if (IsRegularFile(ini)) {
    // The project's own configuration, when it is about this script directory.
    Expected<AlembicProject> from_ini = ReadAlembicIni(ini);
    std::error_code ec;
    if (from_ini.ok() && fs::equivalent(from_ini->script_location, abs, ec)) return from_ini;
  }
  AlembicProject p;
  p.project_dir = abs.parent_path();
  p.script_location = abs;
  DefaultVersionLocations(p);
  ReadEnvPyVersionTable(p);
  return p;
}

Expected<std::optional<AlembicProject>> DetectAlembicProject(const fs::path& dir) {
  const fs::path pyproject = dir / "pyproject.toml";
  if (IsRegularFile(pyproject)) {
    Expected<std::optional<AlembicProject>> p = ReadPyprojectAlembic(pyproject);
    if (p.ok() && *p) return p;
    // A pyproject.toml that does not parse is only this reader's business when it is meant to
    // configure Alembic.
    const std::optional<std::string> text = ReadWholeFile(pyproject);
    if (!p.ok() && text && text->find("tool.alembic") != std::string::npos) return p.error();
  }
  const fs::path ini = dir / "alembic.ini";
  if (IsRegularFile(ini)) {
    ASSIGN_OR_RETURN(AlembicProject p, ReadAlembicIni(ini));
    return std::optional<AlembicProject>(std::move(p));
  }
  if (IsScriptDirectory(dir)) {
    ASSIGN_OR_RETURN(AlembicProject p, ReadScriptDirectory(dir));
    return std::optional<AlembicProject>(std::move(p));
  }
  return std::optional<AlembicProject>();
}

namespace {

// The string literal a keyword argument's value is, or nullopt for anything else.
std::optional<std::string> StringArgument(const std::vector<Token>& t, std::size_t i) {
  std::string value;
  std::size_t k = i;
  while (k < t.size() && t[k].kind == TokenKind::kString && !t[k].formatted) {
    value += t[k].value;
    ++k;
  }
  if (k == i || k >= t.size() || !(t[k].Is(",") || t[k].Is(")"))) return std::nullopt;
  return value;
}

}  // namespace

void ReadEnvPyVersionTable(AlembicProject& project) {
  const std::optional<std::string> text = ReadWholeFile(project.script_location / "env.py");
  if (!text) return;
  for (const LogicalLine& line : TokenizePython(*text)) {
    const std::vector<Token>& t = line.tokens;
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      if (!(t[i].Is("configure") && t[i + 1].Is("("))) continue;
      int depth = 0;
      for (std::size_t k = i + 1; k < t.size(); ++k) {
        if (t[k].Is("(") || t[k].Is("[") || t[k].Is("{")) ++depth;
        if (t[k].Is(")") || t[k].Is("]") || t[k].Is("}")) {
          if (--depth == 0) break;
        }
        if (depth != 1 || k + 2 >= t.size() || !t[k + 1].Is("=")) continue;
        if (t[k].Is("version_table")) {
          if (auto v = StringArgument(t, k + 2)) project.version_table = *v;
        } else if (t[k].Is("version_table_schema")) {
          if (auto v = StringArgument(t, k + 2)) project.version_table_schema = *v;
        }
      }
    }
  }
}

}  // namespace stairway::source::alembic
