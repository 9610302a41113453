// What --out and --force may touch (docs/reliability.md): an output that is, contains or lies
// inside an input is refused before any work, whatever --force says, symbolic links resolved;
// --force replaces only a directory QuantLens wrote; the inputs are byte for byte unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli_support.h"

namespace fs = std::filesystem;
using quantlens_test::data_path;
using quantlens_test::expect_one_line_error;
using quantlens_test::read_text;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {


// A copy of stories260K (model and tokenizer) in DIR/model, and the calibration text beside it.
struct Inputs {
  TempDir dir;
  fs::path model_dir, model, calib;
  Inputs() : model_dir(dir / "model"), model(model_dir / "stories260K.bin"), calib(dir / "text" / "calib.txt") {
    fs::create_directory(model_dir);
    for (const char* f : {"stories260K.bin", "tok512.bin"})
      fs::copy_file(data_path("stories260K/" + std::string(f)), model_dir / f);
    fs::create_directory(calib.parent_path());
    fs::copy_file(data_path("house-corpus/valid.txt"), calib);
  }
};

std::vector<std::string> quantize(const Inputs& in, const fs::path& out, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"quantize", in.model.string(), "--method", "rtn", "--out", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct OverlapCase {
  const char* name;
  fs::path (*out)(const Inputs& in);
  const char* needle;
};

class CliOutputSafety : public ::testing::TestWithParam<OverlapCase> {};

TEST_P(CliOutputSafety, AnOutputOverlappingAnInputIsRefusedEvenWithForce) {
  Inputs in;
  const fs::path out = GetParam().out(in);
  const auto before = quantlens_test::files_under(in.dir.path());
  expect_one_line_error(run_cli(quantize(in, out, {"--force"})), GetParam().needle, out.string());
  expect_one_line_error(run_cli({"export", in.model.string(), "--dense-hf", "--out", out.string(), "--force"}),
                        GetParam().needle, out.string());
  EXPECT_EQ(quantlens_test::files_under(in.dir.path()), before);
}

INSTANTIATE_TEST_SUITE_P(
    Overlaps, CliOutputSafety,
    ::testing::Values(
        OverlapCase{"TheModelDirectory", [](const Inputs& in) { return in.model_dir; }, "contains the input"},
        OverlapCase{"ItsParent", [](const Inputs& in) { return in.dir.path(); }, "contains the input"},
        OverlapCase{"TheModelFile", [](const Inputs& in) { return in.model; }, "is the input"},
        OverlapCase{"ASymlinkToTheModelDirectory",
                    [](const Inputs& in) {
                      const fs::path link = in.dir / "link";
                      fs::create_directory_symlink(in.model_dir, link);
                      return link;
                    },
                    "contains the input"}),
    // `--out /` is checked in the unit tests only (StagingDir.TheRootAndTheWorkingDirectoryAreNeverReplaced):
    // a CLI that got it wrong would remove the machine's files.
    [](const ::testing::TestParamInfo<OverlapCase>& info) { return std::string(info.param.name); });

TEST(CliOutputSafety, AnOutputInsideAModelDirectoryIsRefused) {
  TempDir dir;
  const fs::path model = dir / "house-opt";
  fs::copy(data_path("house-opt"), model, fs::copy_options::recursive);
  const auto before = quantlens_test::files_under(dir.path());
  expect_one_line_error(run_cli({"quantize", model.string(), "--method", "rtn", "--out", (model / "q").string()}),
                        "lies inside the input", (model / "q").string());
  EXPECT_EQ(quantlens_test::files_under(dir.path()), before);
}

TEST(CliOutputSafety, TheCalibrationTextIsAnInputToo) {
  Inputs in;
  // The output folder holds the calibration text and nothing else of the inputs.
  const fs::path out = in.calib.parent_path();
  const std::vector<std::string> args = {"quantize", in.model.string(), "--calib", in.calib.string(), "--nsamples",
                                         "2", "--seqlen", "32", "--out", out.string(), "--force"};
  const auto before = quantlens_test::files_under(in.dir.path());
  expect_one_line_error(run_cli(args), "contains the input " + fs::canonical(in.calib).string(), out.string());
  EXPECT_EQ(quantlens_test::files_under(in.dir.path()), before);
}

TEST(CliOutputSafety, ForceReplacesOnlyADirectoryQuantLensWrote) {
  Inputs in;
  TempDir outs;
  const fs::path theirs = outs / "theirs";
  fs::create_directory(theirs);
  quantlens_test::write_bytes(theirs / "notes.txt", "mine");
  expect_one_line_error(run_cli(quantize(in, theirs, {"--force"})), "not a directory QuantLens wrote",
                        theirs.string());
  EXPECT_EQ(read_text(theirs / "notes.txt"), "mine");

  const fs::path ours = outs / "ours";
  ASSERT_EQ(run_cli(quantize(in, ours)).exit_code, 0);
  EXPECT_TRUE(fs::is_regular_file(ours / ".quantlens-output"));
  quantlens_test::write_bytes(ours / "stale.txt", "from before");
  expect_one_line_error(run_cli(quantize(in, ours)), "--force", ours.string());
  const auto r = run_cli(quantize(in, ours, {"--force", "--bits", "3"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(ours / "stale.txt"));  // the whole previous output was replaced
  EXPECT_TRUE(fs::is_regular_file(ours / "summary.json"));
  // Nothing but the two outputs is left beside them (no staging or replaced directory).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(outs.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"ours", "theirs"}));
}

// A --force run killed between moving the previous output aside and renaming the new one into
// place leaves only OUT.replaced-XXXXXX; the next run puts it back before anything else.
TEST(CliOutputSafety, AnOutputMovedAsideByAKilledRunIsRestored) {
  Inputs in;
  TempDir outs;
  const fs::path ours = outs / "ours";
  ASSERT_EQ(run_cli(quantize(in, ours)).exit_code, 0);
  const std::string summary = read_text(ours / "summary.json");
  const fs::path aside = outs / "ours.replaced-Ab12Cd";
  fs::rename(ours, aside);
  const auto r = run_cli(quantize(in, ours));
  EXPECT_NE(r.err.find("restored " + ours.string() + " from " + aside.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exists and is not empty; pass --force"), std::string::npos) << r.err;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_text(ours / "summary.json"), summary);
  EXPECT_FALSE(fs::exists(aside));
}

}  // namespace
