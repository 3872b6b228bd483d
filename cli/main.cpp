// stairway: entry point.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "cli/command.h"
#include "cli/output.h"

namespace {

// A run builds many small objects at once (a catalog snapshot: 12,000 objects for 1,000 tables;
// a lint run: the parse trees of 20,000 statements) and keeps them to the end. First-touch page
// faults were a quarter of the client's time. So the heap grows in 64 MB steps that are never
// given back, every thread allocates from it, and the kernel may back the first step with 2 MB
// pages (MADV_HUGEPAGE; a no-op where transparent huge pages are off). Memory is only used as
// touched: a small run still has a resident size of a few MB.
void TuneAllocator() {
  constexpr std::size_t kStep = std::size_t{64} << 20;
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, static_cast<int>(kStep));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kStep));
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kStep / 2));
  void* probe = std::malloc(kHugePage);  // more than the heap has left: it grows by a step
  const auto from = (reinterpret_cast<std::uintptr_t>(probe) + kHugePage - 1) & ~(kHugePage - 1);
  const auto to = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
  std::free(probe);
}

}  // namespace

int main(int argc, char** argv) {
  stairway::cli::PrepareStandardStreams();  // before anything can open a file or a socket
  TuneAllocator();
  return stairway::cli::Main(argc, argv);
}
