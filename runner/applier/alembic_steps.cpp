// Running Alembic steps through the helper and describing their failures; see alembic_steps.h.
#include "runner/applier/alembic_steps.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace stairway::applier {

namespace {

namespace fs = std::filesystem;
using source::alembic::Frame;
using source::alembic::HelperError;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A diagnostic at the frame's line (first non-blank column), or at the def line of the step.
Diagnostic At(const fs::path& fallback_file, int fallback_line, const Frame* frame,
              std::string message) {
  // The revision's own frame is shown with the path as the user gave it.
  std::error_code ec;
  const bool in_fallback =
      frame == nullptr || frame->file.empty() || fs::equivalent(frame->file, fallback_file, ec);
  const fs::path file = in_fallback ? fallback_file : fs::path(frame->file);
  const int line = frame != nullptr && frame->line > 0 ? frame->line : fallback_line;
  const std::string text = ReadText(file);
  const LineIndex index(text);
  if (line < 1 || line > index.line_count()) {
    Diagnostic d;
    d.path = file.string();
    d.pos = {line, 1};
    d.message = std::move(message);
    return d;
  }
  std::size_t offset = index.LineStart(line);
  while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\t')) ++offset;
  return DiagnosticAt(Severity::kError, file.string(), text, offset, std::move(message));
}

std::string What(const HelperError& e) {
  if (!e.server_message.empty()) {
    return e.sqlstate.empty() ? e.server_message
                              : fmt::format("{} (SQLSTATE {})", e.server_message, e.sqlstate);
  }
  // Python's own "Type: message" line (the last line of format_exception_only).
  std::string_view m = e.message;
  const std::size_t last = m.rfind('\n', m.size() > 1 ? m.size() - 2 : 0);
  return std::string(Excerpt(last == std::string_view::npos ? m : m.substr(last + 1)));
}

}  // namespace

MigrationFailed AlembicFailure(const planner::Step& step, const HelperError& e) {
  const source::Section& section = step.section();
  const std::string label = step.revision->Label();
  const std::string direction(history::DirectionName(step.direction));
  const Frame* frame = e.FrameIn(section.path);
  Diagnostic d = At(section.path, section.first_line, frame,
                    fmt::format("{} ({}) failed: {}", label, direction, What(e)));
  if (e.committed.empty()) {
    d.help = fmt::format(
        "{} ran in one transaction, which was rolled back: nothing of it is applied, and "
        "alembic_version and the history are unchanged. Fix the revision and run again",
        label);
  } else {
    d.help = fmt::format(
        "{}'s autocommit_block() committed {} statement{} before the failure, which stay done; "
        "the rest was rolled back and alembic_version and the history are unchanged. Undo or "
        "finish those statements by hand, or make them idempotent, then run again",
        label, e.committed.size(), e.committed.size() == 1 ? "" : "s");
  }
  Diagnostic without_help = d;
  without_help.help.clear();
  std::string rendered = Render(without_help);
  if (!e.detail.empty()) rendered += "  detail: " + e.detail + '\n';
  if (!e.hint.empty()) rendered += "  hint: " + e.hint + '\n';
  if (!e.statement.empty()) rendered += "  statement: " + Excerpt(e.statement) + '\n';
  if (e.server_message.empty() && !e.type.empty()) {
    rendered += "  python: " + What(e) + '\n';
  }
  for (const std::string& sql : e.committed) rendered += "  stays done: " + Excerpt(sql) + '\n';
  rendered += "  help: " + d.help;
  return MigrationFailed(std::move(d), std::move(rendered), e.sqlstate, e.committed.empty());
}

void StatementCapture::Want(const fs::path& file, bool up) {
  std::lock_guard lock(mutex_);
  steps_.try_emplace({file.string(), up});
}

bool StatementCapture::Wants(const fs::path& file, bool up) const {
  std::lock_guard lock(mutex_);
  const auto it = steps_.find({file.string(), up});
  return it != steps_.end() && !it->second;
}

void StatementCapture::Put(const fs::path& file, bool up,
                           std::vector<source::alembic::EmittedStatement> statements) {
  std::lock_guard lock(mutex_);
  auto& slot = steps_[{file.string(), up}];
  if (!slot) slot = std::move(statements);
}

std::optional<std::vector<source::alembic::EmittedStatement>> StatementCapture::Get(
    const fs::path& file, bool up) const {
  std::lock_guard lock(mutex_);
  const auto it = steps_.find({file.string(), up});
  return it == steps_.end() ? std::nullopt : it->second;
}

std::chrono::milliseconds AlembicSteps::Run(const planner::Step& step, const Finish& finish,
                                            const CodeTraceQueries* queries, CodeTrace* trace) {
  HelperError error;
  const fs::path& file = step.section().path;
  const bool up = step.direction == history::Direction::kUp;
  std::vector<source::alembic::EmittedStatement> captured;
  const bool capture = capture_ && capture_->Wants(file, up);
  Expected<std::chrono::milliseconds> took = helper_.Run(
      file, up, [&](std::chrono::milliseconds ran) { return std::optional(finish(ran)); }, &error,
      {capture ? &captured : nullptr, queries, trace});
  if (capture && took) capture_->Put(file, up, std::move(captured));
  if (took) return *took;
  if (error.stage.empty() || error.stage == "connection" || error.stage == "helper") {
    throw StopError(
        Error::Database(fmt::format("{} ({}): {}", step.revision->Label(),
                                    history::DirectionName(step.direction), took.error().message)));
  }
  throw AlembicFailure(step, error);
}

Status PreloadRevisions(source::alembic::PythonHelper& helper, const std::vector<fs::path>& all) {
  std::vector<fs::path> files;
  for (const fs::path& file : all) {
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  if (files.empty()) return Status::Ok();
  const auto failures = helper.Load(files);
  if (failures.empty()) return Status::Ok();
  const auto& [file, e] = failures.front();
  const Frame* frame = e.FrameIn(file);
  const Diagnostic d =
      At(file, 1, frame, fmt::format("cannot import the revision file: {}", What(e)));
  std::string more;
  if (failures.size() > 1) {
    more = fmt::format(" ({} more file{} cannot be imported either)", failures.size() - 1,
                       failures.size() == 2 ? "" : "s");
  }
  return Error::Input(fmt::format("{}:{}:{}: {}{}; fix the file, nothing was applied", d.path,
                                  d.pos.line, d.pos.column, d.message, more));
}

}  // namespace stairway::applier
