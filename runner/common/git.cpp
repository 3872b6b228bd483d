// git diff / ls-files for --changed-since (lint and verify), through process::Run.
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

}  // namespace

Expected<std::set<std::filesystem::path>> ChangedFiles(const std::filesystem::path& dir,
                                                       const std::string& rev,
                                                       const std::string& what) {
  // rev-parse first: a clear "no such revision" before diff, and --end-of-options makes sure
  // a revision starting with '-' is never an option. ^{commit} refuses trees and blobs.
  ASSIGN_OR_RETURN(
      const std::string resolved,
      RunGit(dir, {"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"}, what,
             rev));
  std::string commit = resolved;
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
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
