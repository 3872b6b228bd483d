// Connecting to a database whose server may still be starting: --wait.
#include "cli/connect_wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <thread>

#include "runner/common/error.h"
#include "runner/db/conninfo.h"

namespace stairway::cli {

namespace {

std::atomic<long long> connect_wait_ms{0};

// "2m", "30s", "500ms", "1.5h", "2min": digits then a unit, as --wait takes it as its own word.
bool LooksLikeDurationWithUnit(std::string_view word) {
  std::size_t i = 0;
  while (i < word.size() && (std::isdigit(static_cast<unsigned char>(word[i])) || word[i] == '.'))
    ++i;
  if (i == 0) return false;
  const std::string_view unit = word.substr(i);
  return unit == "s" || unit == "ms" || unit == "m" || unit == "min" || unit == "h";
}

std::string FormatLimit(std::chrono::milliseconds ms) {
  if (ms.count() % 60'000 == 0 && ms.count() >= 120'000)
    return fmt::format("{}min", ms.count() / 60'000);
  if (ms.count() % 1000 == 0) return fmt::format("{}s", ms.count() / 1000);
  return fmt::format("{}ms", ms.count());
}

}  // namespace

std::vector<std::string> NormalizeWaitArgs(int argc, char** argv) {
  std::vector<std::string> args;
  bool options_ended = false;
  for (int i = 0; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (options_ended || i == 0 || word != "--wait") {
      options_ended = options_ended || (i > 0 && word == "--");
      args.emplace_back(word);
      continue;
    }
    if (i + 1 < argc && LooksLikeDurationWithUnit(argv[i + 1])) {
      args.push_back(fmt::format("--wait={}", argv[++i]));
    } else {
      args.push_back(fmt::format("--wait={}s", kDefaultConnectWait.count()));
    }
  }
  return args;
}

void SetConnectWait(std::chrono::milliseconds limit) {
  connect_wait_ms = limit.count();
}

std::optional<std::string> TransientConnectFailure(std::string_view message) {
  // libpq's own words (client side) and the server's FATAL texts (SQLSTATE 57P03, which libpq
  // does not hand over for a failed connection attempt).
  static constexpr std::pair<std::string_view, std::string_view> kTransient[] = {
      {"Connection refused", "connection refused"},
      {"the database system is starting up", "the database system is starting up"},
      {"the database system is not yet accepting connections",
       "the database system is not yet accepting connections"},
      {"the database system is in recovery mode", "the database system is in recovery mode"},
      {"could not translate host name", "the host name does not resolve (yet)"},
      {"No such file or directory", "no server socket file (yet)"},
      {"timeout expired", "no answer yet"},
  };
  for (const auto& [needle, reason] : kTransient) {
    if (message.find(needle) != std::string_view::npos) return std::string(reason);
  }
  return std::nullopt;
}

db::Session ConnectWaiting(const std::string& url) {
  const std::chrono::milliseconds limit(connect_wait_ms.load());
  if (limit.count() <= 0) return db::Session::Connect(url);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::chrono::milliseconds delay(250);
  bool told = false;
  for (;;) {
    try {
      return db::Session::Connect(url);
    } catch (const StopError& error) {
      if (error.kind() != ErrorKind::kDatabase) throw;
      const std::optional<std::string> reason = TransientConnectFailure(error.what());
      if (!reason) throw;
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      if (waited >= limit) {
        throw StopError(
            Error::Database(fmt::format("gave up waiting for the database after {} (--wait): {}",
                                        FormatLimit(limit), error.what())));
      }
      if (!told) {
        std::fflush(stdout);
        fmt::print(stderr, "waiting for the database at {}: {} (up to {})\n", db::MaskPassword(url),
                   *reason, FormatLimit(limit));
        told = true;
      }
      std::this_thread::sleep_for(std::min(delay, limit - waited));
      delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
  }
}

}  // namespace stairway::cli
