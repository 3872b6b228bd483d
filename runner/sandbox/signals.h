// The SIGINT/SIGTERM handlers of the sandboxes (the private cluster's keeper, a --server-url's
// database cleanup). Each hands the signal on to the handler installed before it, so a process
// that holds both kinds of sandbox gets both cleanups, whichever was installed first.
#pragma once

#include <csignal>

namespace stairway::sandbox {

// What handled SIGINT and SIGTERM before a sandbox's handler.
struct PreviousHandlers {
  void (*on_int)(int) = SIG_DFL;
  void (*on_term)(int) = SIG_DFL;
};

// Installs `handler` for SIGINT and SIGTERM (each blocked while it runs), keeping what was there
// in `previous`. A signal the process ignores (a background job's SIGINT) stays ignored.
void InstallTerminationHandler(void (*handler)(int), PreviousHandlers& previous);

// Async-signal-safe: runs the handler `previous` kept for `signo`, when it is a function.
void HandOn(const PreviousHandlers& previous, int signo);

}  // namespace stairway::sandbox
