// Signals and killed runs (docs/reliability.md): SIGTERM and SIGHUP cancel a run as Ctrl-C does
// (exit 128 + the signal, nothing under the final name, no temporaries); what a run killed
// outright leaves (a staging directory whose lock nobody holds, a temporary dump) is removed by
// the next run beside it, which says so, while a live run's temporaries are left alone.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/temporaries.h"

namespace fs = std::filesystem;
using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A long PTQ1.61 run on stories260K (many epochs) writing DIR/q.
std::vector<std::string> long_run(const TempDir& dir) {
  return {"quantize",    data_path("stories260K/stories260K.bin").string(),
          "--calib",     data_path("house-corpus/valid.txt").string(),
          "--nsamples",  "4",
          "--seqlen",    "64",
          "--epochs",    "400",
          "--cache-dir", (dir / "cache").string(),
          "--out",       (dir / "out" / "q").string()};
}

class CliSignals : public ::testing::TestWithParam<int> {};

TEST_P(CliSignals, CancelsCleanlyWithExitStatusOfTheSignal) {
  const int signal_number = GetParam();
  TempDir dir;
  fs::create_directory(dir / "out");
  const pid_t pid = quantlens_test::start_cli(long_run(dir), dir / "log");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // into the optimisation
  ASSERT_EQ(kill(pid, signal_number), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + signal_number) << quantlens_test::read_text(dir / "log");
  EXPECT_TRUE(entries(dir / "out").empty());  // nothing under the final name, no temporaries
}

INSTANTIATE_TEST_SUITE_P(StopSignals, CliSignals, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "Int" : info.param == SIGTERM ? "Term" : "Hup");
                         });

// Written a minute ago: temporaries younger than 10 s are never taken for abandoned.
void age(const fs::path& p) { fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::minutes(1)); }

// What a run killed with SIGKILL while writing leaves: its staging directory (marker, unlocked
// lock file, partial files) and a temporary dump file.
void leave_killed_run(const fs::path& out_dir) {
  const fs::path staging = out_dir / "q.tmp-Ab12Cd";
  fs::create_directories(staging);
  quantlens_test::write_bytes(staging / quantcore::outputs::kOutputMarker, "x");
  quantlens_test::write_bytes(staging / quantcore::kLockFile, "");
  age(staging / quantcore::kLockFile);
  quantlens_test::write_bytes(staging / "model.safetensors", std::string(4096, 'w'));
  quantlens_test::write_bytes(out_dir / ".x.h5.tmp-Zz9Yy8", "partial");
  age(out_dir / ".x.h5.tmp-Zz9Yy8");
}

TEST(CliCompareInterrupted, CtrlCKeepsTheFinishedRows) {
  // RTN finishes at once; the long PTQ1.61 row after it is interrupted: compare.json holds the
  // RTN row and says the comparison was cancelled, and the exit status is Ctrl-C's.
  TempDir dir;
  const std::string text = data_path("house-corpus/valid.txt").string();
  const pid_t pid =
      quantlens_test::start_cli({"compare", data_path("stories260K/stories260K.bin").string(), "--methods",
                                 "rtn:bits=3,ptq161:epochs=400", "--calib", text, "--nsamples", "4", "--seqlen", "64",
                                 "--text", text, "--max-windows", "4", "--out", (dir / "cmp").string()},
                                dir / "log");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool first_row_done = false;
  while (!(first_row_done = quantlens_test::read_text(dir / "log").find("[1/2] rtn:bits=3") != std::string::npos) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(kill(pid, SIGINT), 0);  // anywhere in the PTQ1.61 row
  if (!first_row_done) waitpid(pid, nullptr, 0);
  ASSERT_TRUE(first_row_done) << quantlens_test::read_text(dir / "log");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT) << quantlens_test::read_text(dir / "log");
  const nlohmann::json saved = quantlens_test::read_json(dir / "cmp" / "compare.json");
  EXPECT_TRUE(saved.at("cancelled").get<bool>());
  ASSERT_EQ(saved.at("rows").size(), 1u);
  EXPECT_EQ(saved.at("rows")[0].at("spelling"), "rtn:bits=3");
}

TEST(CliKilledRuns, TheNextRunRemovesWhatAKilledRunLeftAndSaysSo) {
  TempDir dir;
  leave_killed_run(dir / "out");
  // A temporary a live run holds (its lock taken here) stays.
  const fs::path live = dir / "out" / "q.tmp-Live00";
  fs::create_directories(live);
  quantlens_test::write_bytes(live / quantcore::outputs::kOutputMarker, "x");
  quantcore::TemporaryLock held(live / quantcore::kLockFile);
  // So does a directory of that name that is not ours, and one marked resumable.
  fs::create_directories(dir / "out" / "q.tmp-Theirs");
  const fs::path resumable = dir / "out" / "q.tmp-Resume";
  fs::create_directories(resumable);
  quantlens_test::write_bytes(resumable / quantcore::outputs::kOutputMarker, "x");
  quantlens_test::write_bytes(resumable / quantcore::kLockFile, "");
  quantlens_test::write_bytes(resumable / quantcore::kResumableMarker, "");
  age(resumable / quantcore::kLockFile);
  // And one just made, not yet locked by its (live) run.
  const fs::path young = dir / "out" / "q.tmp-Young0";
  fs::create_directories(young);
  quantlens_test::write_bytes(young / quantcore::outputs::kOutputMarker, "x");
  quantlens_test::write_bytes(young / quantcore::kLockFile, "");

  const auto q = run_cli({"quantize", data_path("stories260K/stories260K.bin").string(), "--method", "rtn", "--out",
                          (dir / "out" / "q").string()});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.err.find("removed " + (dir / "out" / "q.tmp-Ab12Cd").string() + ", left by an interrupted run"),
            std::string::npos)
      << q.err;
  EXPECT_EQ(entries(dir / "out"), (std::vector<std::string>{".x.h5.tmp-Zz9Yy8", "q", "q.tmp-Live00", "q.tmp-Resume",
                                                            "q.tmp-Theirs", "q.tmp-Young0"}));

  // The dump's temporary goes when a dump is written to that name.
  const auto d = run_cli({"dump", data_path("stories260K/stories260K.bin").string(), "--calib",
                          data_path("house-corpus/valid.txt").string(), "--nsamples", "2", "--seqlen", "32",
                          "--cache-dir", (dir / "cache").string(), "--out", (dir / "out" / "x.h5").string()});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find(".x.h5.tmp-Zz9Yy8, left by an interrupted run"), std::string::npos) << d.err;
  EXPECT_FALSE(fs::exists(dir / "out" / ".x.h5.tmp-Zz9Yy8"));
}

// A dump inside the output directory would be written, then removed with the old output by
// --force (or make an empty output non-empty): refused before any work.
TEST(CliDumpPlace, ADumpInsideTheOutputDirectoryIsRefused) {
  TempDir dir;
  const fs::path out = dir / "q", dump = out / "x.h5";
  fs::create_directory(out);
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", data_path("stories260K/stories260K.bin").string(), "--calib",
               data_path("house-corpus/valid.txt").string(), "--out", out.string(), "--dump", dump.string()}),
      "lies inside the output directory", dump.string());
  EXPECT_TRUE(entries(out).empty());
}

// A disk that fills up while the dump is written, as RLIMIT_FSIZE makes every write past 32 KiB
// fail (EFBIG, with SIGXFSZ ignored): one line, exit 2, no crash at exit (libhdf5 1.10 used to
// segfault closing the failed file again), no temporary left.
TEST(CliFullDisk, ADumpThatCannotBeWrittenIsOneLineAndNoCrash) {
  TempDir dir;
  const fs::path out = dir / "out" / "x.h5";
  fs::create_directory(dir / "out");
  std::vector<std::string> args = {quantlens_test::cli_path(),
                                   "dump",
                                   data_path("stories260K/stories260K.bin").string(),
                                   "--calib",
                                   data_path("house-corpus/valid.txt").string(),
                                   "--nsamples",
                                   "2",
                                   "--seqlen",
                                   "32",
                                   "--cache-dir",
                                   (dir / "cache").string(),
                                   "--out",
                                   out.string(),
                                   "-q"};
  const fs::path log = dir / "log";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const rlimit limit{32 * 1024, 32 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    signal(SIGXFSZ, SIG_IGN);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string err = quantlens_test::read_text(log);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status) << ": " << err;
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  EXPECT_EQ(err.rfind("quantlens: error: " + out.string() + ": ", 0), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_TRUE(entries(dir / "out").empty());
}

}  // namespace
