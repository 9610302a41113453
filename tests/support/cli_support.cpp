#include "cli_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

extern char** environ;

namespace quantlens_test {

int start_cli(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv_s = {cli_path()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&files, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  return rc == 0 ? pid : -1;
}

const char* cli_path() {
  const char* other = std::getenv("QUANTLENS_TEST_CLI");
  return other != nullptr && *other != '\0' ? other : QUANTLENS_CLI;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult run_cli(const std::vector<std::string>& args) { return run_cli_bounded(args, 0); }

CliResult run_cli_bounded(const std::vector<std::string>& args, int64_t megabytes) {
  TempDir tmp;
  // RLIMIT_DATA counts the heap and private mappings: what a runaway allocation grows.
  std::string cmd = megabytes > 0 ? "ulimit -d " + std::to_string(megabytes * 1024) + "; " : "";
  cmd += shell_quote(cli_path());
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  cmd += " -q >" + shell_quote((tmp / "out").string()) + " 2>" + shell_quote((tmp / "err").string());
  CliResult r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(tmp / "out");
  r.err = read_text(tmp / "err");
  return r;
}

void expect_one_line_error(const CliResult& r, const std::string& needle, const std::string& file) {
  SCOPED_TRACE("expecting a one-line error mentioning '" + needle + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(!r.err.empty() && r.err.back() == '\n') << r.err;
  EXPECT_EQ(r.err.rfind("quantlens: error: " + file, 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

void PrintTo(const RefusalCase& c, std::ostream* os) { *os << c.name; }

std::string refusal_case_name(const ::testing::TestParamInfo<RefusalCase>& info) { return info.param.name; }

std::vector<std::string> calibrated_args(const std::string& command, const std::string& model, const std::string& calib,
                                         const std::string& cache_dir) {
  return {command,       model,
          "--calib",     calib,
          "--nsamples",  std::to_string(kCalibSamples),
          "--seqlen",    std::to_string(kCalibSeqlen),
          "--cache-dir", cache_dir};
}

std::vector<std::string> quantize_args(const std::string& model, const std::string& calib, const std::string& cache_dir,
                                       const std::string& out, const std::vector<std::string>& extra,
                                       const std::string& method) {
  std::vector<std::string> a = calibrated_args("quantize", model, calib, cache_dir);
  a.insert(a.end(), {"--method", method, "--out", out, "--json"});
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

double eval_ppl(const std::string& dir, const std::string& text, int seqlen, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"eval",          dir, "--text", text, "--seqlen", std::to_string(seqlen),
                                   "--max-windows", "8", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << "eval " << dir << ": " << r.err;
  return r.exit_code == 0 ? r.json().at("ppl").get<double>() : NAN;
}

}  // namespace quantlens_test
