// The rehearsal's reports: text for the terminal, JSON for machines ({"stairway_preflight": 1}),
// Markdown for a pull request or a ticket, and an HTML page with an SVG timeline of the
// statements coloured by lock mode, rewrites marked.
#pragma once

#include <string>

#include "verifier/preflight/preflight.h"

namespace stairway::verifier::preflight {

inline constexpr int kJsonVersion = 1;

std::string RenderText(const Result& result);
std::string RenderJson(const Result& result);
std::string RenderMarkdown(const Result& result);
std::string RenderHtml(const Result& result);

// The line every report carries about what the durations mean.
inline constexpr const char* kTimingCaveat =
    "Durations were measured on the restored copy, on this machine, not on production: other "
    "hardware, caches and concurrent load change them. Lock modes and rewrites do not change.";

}  // namespace stairway::verifier::preflight
