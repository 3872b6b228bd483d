// stairway: entry point.
#include "cli/command.h"

int main(int argc, char** argv) {
  return stairway::cli::Main(argc, argv);
}
