#pragma once
// Runs the built `quantlens` binary for the end-to-end tests, builds their common argument
// vectors and checks the CLI's answers.
#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace quantlens_test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

// The `quantlens` binary under test: the build's, or the one QUANTLENS_TEST_CLI names (to run
// the end-to-end tests against another build, e.g. one from before a fix).
const char* cli_path();
std::string shell_quote(const std::string& s);
// `quantlens ARGS...` started in the background (stdout to /dev/null, stderr to `log`); -1 when
// it could not be started.
int start_cli(const std::vector<std::string>& args, const std::filesystem::path& log);

// `quantlens ARGS... -q`, its exit status and both streams.
CliResult run_cli(const std::vector<std::string>& args);
// The same with the process's data (heap and private mappings) limited to `megabytes`; 0: no limit.
CliResult run_cli_bounded(const std::vector<std::string>& args, int64_t megabytes);

// A refused command: exit status 2, nothing on stdout, and stderr exactly one line,
// "quantlens: error: ..." mentioning `needle`; with `file`, the message starts with that file.
void expect_one_line_error(const CliResult& r, const std::string& needle, const std::string& file = {});

// A command the CLI must refuse, and what expect_one_line_error is to find in its answer.
struct RefusedCommand {
  std::vector<std::string> args;
  std::string needle;
  std::string file;  // empty where the message names no file
};

// One case of a parametrised refusal test; `make` may write its inputs into `dir`.
struct RefusalCase {
  const char* name;
  RefusedCommand (*make)(const TempDir& dir);
};
void PrintTo(const RefusalCase& c, std::ostream* os);
std::string refusal_case_name(const ::testing::TestParamInfo<RefusalCase>& info);

// The calibration every end-to-end run shares.
inline constexpr int kCalibSamples = 4;
inline constexpr int kCalibSeqlen = 64;

// COMMAND MODEL --calib CALIB --nsamples 4 --seqlen 64 --cache-dir CACHE_DIR
std::vector<std::string> calibrated_args(const std::string& command, const std::string& model, const std::string& calib,
                                         const std::string& cache_dir);
// quantize MODEL --method METHOD (calibrated as above) --out OUT --json EXTRA...
std::vector<std::string> quantize_args(const std::string& model, const std::string& calib, const std::string& cache_dir,
                                       const std::string& out, const std::vector<std::string>& extra = {},
                                       const std::string& method = "ptq161");

// The perplexity `quantlens eval DIR --text TEXT --seqlen SEQLEN --max-windows 8 --json EXTRA..`
// prints; NaN, and a test failure, when eval fails.
double eval_ppl(const std::string& dir, const std::string& text, int seqlen = kCalibSeqlen,
                const std::vector<std::string>& extra = {});

}  // namespace quantlens_test
