// SIGINT/SIGTERM handlers that hand the signal on (see signals.h).
#include "runner/sandbox/signals.h"

namespace stairway::sandbox {

void InstallTerminationHandler(void (*handler)(int), PreviousHandlers& previous) {
  for (int signo : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    sigaction(signo, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;
    if ((old.sa_flags & SA_SIGINFO) == 0) {
      (signo == SIGINT ? previous.on_int : previous.on_term) = old.sa_handler;
    }
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    sigaction(signo, &action, nullptr);
  }
}

void HandOn(const PreviousHandlers& previous, int signo) {
  void (*handler)(int) = signo == SIGINT ? previous.on_int : previous.on_term;
  if (handler != SIG_DFL && handler != SIG_IGN && handler != SIG_ERR) handler(signo);
}

}  // namespace stairway::sandbox
