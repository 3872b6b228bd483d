// --wait / STAIRWAY_WAIT: keep trying to connect to the user's database while its server is still
// starting (container entrypoints start stairway and PostgreSQL together).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/db/session.h"

namespace stairway::cli {

// How long `--wait` alone waits.
inline constexpr std::chrono::seconds kDefaultConnectWait{60};

// argv with `--wait` turned into `--wait=60s`, and `--wait 2m` into `--wait=2m`, so that the
// option's value is optional without swallowing a positional: the next word is taken only when it
// is a number with a unit (2m, 30s, 500ms, 1h); a bare number stays a positional (a revision id
// such as 0003), `--wait=90` takes one. Words after `--` are left alone.
std::vector<std::string> NormalizeWaitArgs(int argc, char** argv);

// Sets how long ConnectWaiting keeps trying (0: not at all, the default).
void SetConnectWait(std::chrono::milliseconds limit);

// The reason to keep waiting when `message` (a connection failure) says the server is not up yet:
// nothing listens, it is starting up or recovering, its host name or socket file does not exist
// yet. nullopt for failures waiting does not cure (bad password, no such database).
std::optional<std::string> TransientConnectFailure(std::string_view message);

// db::Session::Connect, retried with backoff (250 ms doubling up to 2 s) while the failure is
// transient and the --wait limit has not passed; prints one line on stderr when it starts
// waiting. Gives up with StopError(kDatabase) carrying the last failure.
db::Session ConnectWaiting(const std::string& url);

}  // namespace stairway::cli
