// The verifier library: roundtrip, lint, drift and reports, built on the runner.
namespace stairway::verifier {
const char* kVerifierVersion = "1";
}
