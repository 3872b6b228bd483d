// git rev-parse / diff / ls-files / ls-tree / cat-file for --changed-since and --base (lint and
// verify), through process::Run.
#include "runner/common/git.h"

#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "runner/common/process.h"

namespace stairway::git {
namespace {

// Shows the revision the way the user typed it, but with control characters escaped, so a
// terminal escape in it cannot reach the terminal through our message.
std::string Printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string FirstLine(const std::string& text) {
  const std::size_t nl = text.find('\n');
  return Printable(text.substr(0, nl));
}

Expected<std::string> RunGit(const std::filesystem::path& dir, std::vector<std::string> args,
                             const std::string& what, const std::string& rev) {
  process::SpawnOptions options;
  options.argv = {"git", "-C", dir.empty() ? "." : dir.string()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  // HOME lets git read the user's ~/.gitconfig (safe.directory and the like); GIT_* are not
  // passed on, so a GIT_DIR in stairway's environment cannot point git elsewhere.
  options.env = process::MinimalEnvironment({"HOME", "USER", "LOGNAME"});
  options.err = process::Stream::kPipe;
  Expected<process::Captured> ran = process::Run(options);
  if (!ran) {
    return Error::Input(fmt::format("{} needs git on PATH ({})", what, ran.error().message));
  }
  if (ran->exit_code != 0) {
    return Error::Input(fmt::format(
        "{} {}: git could not compare with that ref ({}); run inside the git repository "
        "and name an existing commit or branch",
        what, Printable(rev), ran->err.empty() ? "no such commit" : FirstLine(ran->err)));
  }
  return std::move(ran->out);
}

// A blob or commit id as git prints it: hex only, so it can never be read as an option.
bool IsObjectId(const std::string& id) {
  if (id.size() < 40) return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Expected<std::string> ResolveCommit(const std::filesystem::path& dir, const std::string& rev,
                                    const std::string& what) {
  // --end-of-options makes sure a revision starting with '-' is never an option; ^{commit}
  // refuses trees and blobs.
  ASSIGN_OR_RETURN(
      std::string commit,
      RunGit(dir, {"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"}, what,
             rev));
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  if (!IsObjectId(commit)) {
    return Error::Input(
        fmt::format("{} {}: git did not name a commit; name an existing commit or "
                    "branch",
                    what, Printable(rev)));
  }
  return commit;
}

Expected<std::vector<TreeFile>> FilesAt(const std::filesystem::path& dir, const std::string& commit,
                                        const std::string& what) {
  if (!IsObjectId(commit)) {
    return Error::Internal(
        fmt::format("git::FilesAt wants a commit id, not {}", Printable(commit)));
  }
  // -z: names exactly as stored (no quoting of unusual characters). Run in `dir`, ls-tree lists
  // only what lies under it, relative to it.
  ASSIGN_OR_RETURN(const std::string text,
                   RunGit(dir, {"ls-tree", "-r", "-z", commit, "--", "."}, what, commit));
  std::vector<TreeFile> files;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\0', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view entry(text.data() + at, end - at);
    at = end + 1;
    // "<mode> SP <type> SP <id> TAB <path>"
    const std::size_t tab = entry.find('\t');
    if (tab == std::string_view::npos) continue;
    const std::string_view meta = entry.substr(0, tab);
    const std::size_t first = meta.find(' ');
    const std::size_t second = meta.find(' ', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    if (meta.substr(first + 1, second - first - 1) != "blob") continue;  // submodules
    files.push_back({std::string(entry.substr(tab + 1)), std::string(meta.substr(second + 1))});
  }
  return files;
}

Expected<std::vector<std::string>> ReadBlobs(const std::filesystem::path& dir,
                                             const std::vector<std::string>& blobs,
                                             const std::string& what) {
  std::vector<std::string> out;
  if (blobs.empty()) return out;
  std::string input;
  for (const std::string& blob : blobs) {
    if (!IsObjectId(blob)) {
      return Error::Internal(fmt::format("git::ReadBlobs wants blob ids, not {}", Printable(blob)));
    }
    input += blob + "\n";
  }
  process::SpawnOptions options;
  options.argv = {"git", "-C", dir.empty() ? "." : dir.string(), "cat-file", "--batch"};
  options.env = process::MinimalEnvironment({"HOME", "USER", "LOGNAME"});
  options.in = process::Stream::kPipe;
  options.err = process::Stream::kPipe;
  Expected<process::Captured> ran = process::Run(options, input);
  if (!ran)
    return Error::Input(fmt::format("{} needs git on PATH ({})", what, ran.error().message));
  // Each answer: "<id> <type> <size>\n", the bytes, "\n" (or "<id> missing\n").
  const std::string& text = ran->out;
  std::size_t at = 0;
  for (const std::string& blob : blobs) {
    const std::size_t nl = text.find('\n', at);
    if (ran->exit_code != 0 || nl == std::string::npos) {
      return Error::Input(fmt::format("{}: git could not read blob {} ({})", what, blob,
                                      ran->err.empty() ? "no answer" : FirstLine(ran->err)));
    }
    std::istringstream header(text.substr(at, nl - at));
    std::string id, type;
    std::size_t size = 0;
    if (!(header >> id >> type >> size) || type != "blob" || nl + 1 + size > text.size()) {
      return Error::Input(fmt::format("{}: git could not read blob {} ({})", what, blob,
                                      FirstLine(text.substr(at, nl - at))));
    }
    out.push_back(text.substr(nl + 1, size));
    at = nl + 1 + size + 1;
  }
  return out;
}

Expected<std::set<std::filesystem::path>> ChangedFiles(const std::filesystem::path& dir,
                                                       const std::string& rev,
                                                       const std::string& what) {
  // rev-parse first: a clear "no such revision" before diff, and --end-of-options makes sure
  // a revision starting with '-' is never an option. ^{commit} refuses trees and blobs.
  ASSIGN_OR_RETURN(const std::string commit, ResolveCommit(dir, rev, what));
  std::set<std::filesystem::path> out;
  const std::filesystem::path base = dir.empty() ? std::filesystem::current_path() : dir;
  const std::vector<std::vector<std::string>> commands = {
      {"diff", "--name-only", "--relative", "--no-ext-diff", "--no-textconv", commit, "--", "."},
      {"ls-files", "--others", "--exclude-standard", "--", "."}};
  for (const std::vector<std::string>& args : commands) {
    ASSIGN_OR_RETURN(const std::string text, RunGit(dir, args, what, rev));
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      std::error_code ec;
      std::filesystem::path path = std::filesystem::weakly_canonical(base / line, ec);
      out.insert(ec ? base / line : path);
    }
  }
  return out;
}

}  // namespace stairway::git
