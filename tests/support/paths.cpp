// (paths.h is header-only; this file keeps the support library non-empty.)
#include "tests/support/paths.h"
