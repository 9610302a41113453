// quantcore_export: the staging directory behind every written model and the dense fp16 export
// on the embedded stories260K (a real checkpoint): values, progress, and cancellation that
// leaves nothing under the final name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/half_float.h"
#include "counting_progress.h"
#include "test_support.h"

namespace {
namespace fs = std::filesystem;
using namespace quantlens_test;
using quantcore::outputs::StagingDir;

const fs::path kModel = fs::path(QUANTLENS_SOURCE_DIR) / "resources/models/stories260K/stories260K.bin";

int entries(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// TMP/model holding w.bin.
fs::path one_file_model(const TempDir& tmp) {
  const fs::path model = tmp / "model";
  fs::create_directory(model);
  write_bytes(model / "w.bin", "w");
  return model;
}

// The InputError message `check` raised, or "" when it raised none.
template <typename Check>
std::string refusal(Check check) {
  try {
    check();
    return "";
  } catch (const quantcore::InputError& e) {
    return e.what();
  }
}

}  // namespace

TEST(StagingDir, IsRemovedUnlessCommitted) {
  TempDir tmp;
  const fs::path dest = tmp / "out";
  fs::path staged;
  {
    StagingDir s(dest);
    staged = s.path();
    EXPECT_TRUE(fs::is_directory(staged));
    EXPECT_EQ(staged.parent_path(), tmp.path());
  }
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_EQ(entries(tmp.path()), 0);
}

TEST(StagingDir, CommitReplacesAnEmptyDirectoryButNotAFullOne) {
  TempDir tmp;
  const fs::path dest = tmp / "out";
  fs::create_directory(dest);
  {
    StagingDir s(dest);
    write_bytes(s.path() / "a", "1");
    s.commit(dest, false);
  }
  EXPECT_EQ(read_text(dest / "a"), "1");
  StagingDir again(dest);
  write_bytes(again.path() / "b", "2");
  try {
    again.commit(dest, false);
    FAIL() << "committed over a non-empty directory";
  } catch (const quantcore::InputError& e) {
    EXPECT_EQ(std::string(e.what()), dest.string() + ": exists and is not empty; pass --force to replace it");
  }
  EXPECT_THROW(quantcore::outputs::checked_destination(dest.string(), false), quantcore::InputError);
  again.commit(dest, true);
  EXPECT_FALSE(fs::exists(dest / "a"));
  EXPECT_EQ(read_text(dest / "b"), "2");
  EXPECT_EQ(entries(tmp.path()), 1);  // the replaced output is gone, not moved aside for good
}

TEST(StagingDir, ForceReplacesOnlyWhatQuantLensWrote) {
  TempDir tmp;
  const fs::path dest = tmp / "theirs";
  fs::create_directory(dest);
  write_bytes(dest / "notes.txt", "mine");
  StagingDir s(dest);
  EXPECT_TRUE(fs::is_regular_file(s.path() / quantcore::outputs::kOutputMarker));
  try {
    quantcore::outputs::checked_destination(dest.string(), true);
    ADD_FAILURE() << "accepted a directory QuantLens did not write";
  } catch (const quantcore::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a directory QuantLens wrote"), std::string::npos) << e.what();
  }
  EXPECT_THROW(s.commit(dest, true), quantcore::InputError);
  EXPECT_EQ(read_text(dest / "notes.txt"), "mine");

  const fs::path file = tmp / "file.txt";
  write_bytes(file, "x");
  EXPECT_THROW(quantcore::outputs::checked_destination(file.string(), true), quantcore::InputError);
  const fs::path link = tmp / "link";
  fs::create_directory_symlink(dest, link);
  EXPECT_THROW(quantcore::outputs::checked_destination(link.string(), true), quantcore::InputError);
  EXPECT_TRUE(fs::exists(file));
}

TEST(StagingDir, AnOutputMovedAsideByAKilledCommitIsRestored) {
  using quantcore::outputs::restore_interrupted_replacement;
  TempDir tmp;
  const fs::path dest = tmp / "out";
  {
    StagingDir s(dest);
    write_bytes(s.path() / "a", "1");
    s.commit(dest, false);
  }
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), std::nullopt);  // dest exists
  const fs::path aside = tmp / "out.replaced-x1Y2z3";
  fs::rename(dest, aside);
  EXPECT_EQ(restore_interrupted_replacement(dest.string() + "/", {}), aside);
  EXPECT_EQ(read_text(dest / "a"), "1");
  EXPECT_EQ(entries(tmp.path()), 1);

  // Not ours (no marker), or two of them: left for the user.
  using quantcore::outputs::kOutputMarker;
  fs::rename(dest, aside);
  const std::string marker = read_text(aside / kOutputMarker);
  fs::remove(aside / kOutputMarker);
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), std::nullopt);
  write_bytes(aside / kOutputMarker, marker);
  fs::create_directory(tmp / "out.replaced-Q9w8E7");
  write_bytes(tmp / "out.replaced-Q9w8E7" / kOutputMarker, marker);
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), std::nullopt);
  EXPECT_FALSE(fs::exists(dest));
  fs::remove_all(tmp / "out.replaced-Q9w8E7");

  // A name commit does not make, an aside that overlaps an input, a live run staging for the same
  // output: left alone. An empty directory at the destination (a file dialog's) is replaced.
  fs::rename(aside, tmp / "out.replaced-v2");
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), std::nullopt);
  fs::rename(tmp / "out.replaced-v2", aside);
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {aside / "a"}), std::nullopt);
  {
    StagingDir live(dest);
    EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), std::nullopt);
  }
  fs::create_directory(dest);
  EXPECT_EQ(restore_interrupted_replacement(dest.string(), {}), aside);
  EXPECT_EQ(read_text(dest / "a"), "1");
}

TEST(StagingDir, ALeftoverAsideIsRemovedOnlyOnceTheNewOutputIsInPlace) {
  using quantcore::outputs::remove_abandoned_staging;
  TempDir tmp;
  const fs::path dest = tmp / "out", aside = tmp / "out.replaced-A1b2C3";
  {
    StagingDir s(dest);
    s.commit(dest, false);
  }
  fs::rename(dest, aside);
  fs::create_directory(dest);  // an empty folder, not an output: the aside is the only copy
  EXPECT_TRUE(remove_abandoned_staging(dest).empty());
  EXPECT_TRUE(fs::exists(aside));
  fs::remove(dest);
  {
    StagingDir s(dest);
    s.commit(dest, false);
  }
  EXPECT_EQ(remove_abandoned_staging(dest), std::vector<fs::path>{aside});
  EXPECT_FALSE(fs::exists(dest / quantcore::kLockFile));
}

TEST(StagingDir, AnOutputMayNotOverlapAnInput) {
  using quantcore::outputs::check_output_apart_from_inputs;
  TempDir tmp;
  const fs::path model = one_file_model(tmp);
  auto problem = [](const fs::path& out, const std::vector<fs::path>& inputs) {
    return refusal([&] { check_output_apart_from_inputs(out, inputs); });
  };
  const std::string canonical = fs::canonical(model).string();
  EXPECT_EQ(problem(model, {model}), model.string() + ": is the input " + canonical + "; choose another output");
  EXPECT_NE(problem(tmp.path(), {model / "w.bin"}).find("contains the input"), std::string::npos);
  EXPECT_NE(problem(model / "q", {model}).find("lies inside the input"), std::string::npos);
  EXPECT_NE(problem("/", {model}).find("contains the input"), std::string::npos);
  fs::create_directory_symlink(model, tmp / "alias");
  EXPECT_NE(problem(tmp / "alias" / "q", {model}).find("lies inside the input"), std::string::npos);
  EXPECT_NE(problem(tmp / "model/../model", {model / "w.bin"}).find("contains the input"), std::string::npos);
  // Siblings that share a prefix of their names are apart.
  EXPECT_EQ(problem(tmp / "model-q", {model}), "");
  EXPECT_EQ(problem(tmp / "out", {model, fs::path()}), "");
}

// `--out /` and `--out .` are checked here and not through the CLI: a CLI that got them wrong
// with --force would remove the machine's files, as the CLI before these checks did (it removed
// /etc before failing at /proc; docs/reliability.md). checked_destination only reads.
TEST(StagingDir, TheRootAndTheWorkingDirectoryAreNeverReplaced) {
  using quantcore::outputs::checked_destination;
  TempDir tmp;
  const fs::path model = one_file_model(tmp);
  auto problem = [](const std::string& out, const std::vector<fs::path>& inputs) {
    return refusal([&] { checked_destination(out, true, inputs); });
  };
  EXPECT_NE(problem("/", {model}).find("contains the input"), std::string::npos);
  // Not ours to replace; for a user who is not root, not writable in the first place.
  EXPECT_NE(problem("/", {}).find(::geteuid() == 0 ? "not a directory QuantLens wrote" : "is not writable"),
            std::string::npos);
  struct BackToCwd {
    fs::path cwd = fs::current_path();
    ~BackToCwd() { fs::current_path(cwd); }
  } back;
  fs::current_path(tmp.path());
  EXPECT_NE(problem(".", {model}).find("contains the input"), std::string::npos);
  EXPECT_NE(problem("./", {}).find("not a directory QuantLens wrote"), std::string::npos);
}

TEST(DenseExport, EveryTensorIsTheFp16OfTheSource) {
  TempDir tmp;
  const quantcore::Checkpoint ck = quantcore::open_checkpoint(kModel);
  CountingProgress progress;
  quantcore::outputs::write_dense_model(ck, nullptr, tmp.path(), progress, quantcore::CancelToken{});
  const auto expected = quantcore::expected_tensors(ck.spec);
  EXPECT_EQ(progress.total, int64_t(expected.size()));
  EXPECT_EQ(progress.last, int64_t(expected.size()));
  EXPECT_TRUE(progress.finished);
  EXPECT_TRUE(fs::is_regular_file(tmp / "config.json"));
  EXPECT_TRUE(fs::is_regular_file(tmp / "tokenizer.bin"));
  EXPECT_EQ(read_json(tmp / "config.json")["torch_dtype"], "float16");
  const quantcore::SafetensorsFile out(tmp / "model.safetensors");
  ASSERT_EQ(out.entries().size(), expected.size());
  for (const auto& e : expected) {
    const quantcore::TensorView src = *ck.weights->find(e.name);
    ASSERT_EQ(src.dtype, quantcore::DType::F32) << e.name;
    const quantcore::TensorView dst = out.view(*out.entry(e.name));
    ASSERT_EQ(dst.dtype, quantcore::DType::F16);
    ASSERT_EQ(dst.shape, src.shape);
    const auto* f = static_cast<const float*>(src.data);
    const auto* h = static_cast<const uint16_t*>(dst.data);
    for (int64_t i = 0; i < src.numel(); ++i) ASSERT_EQ(h[i], quantcore::half_from_float(f[i])) << e.name << " " << i;
  }
}

TEST(DenseExport, CancelledMidwayLeavesNothingUnderTheFinalName) {
  TempDir tmp;
  const quantcore::Checkpoint ck = quantcore::open_checkpoint(kModel);
  const fs::path dest = tmp / "dense";
  quantcore::CancelToken cancel;
  CountingProgress progress(cancel, 3);
  EXPECT_THROW(
      {
        StagingDir s(dest);
        quantcore::outputs::write_dense_model(ck, nullptr, s.path(), progress, cancel);
        s.commit(dest, false);
      },
      quantcore::Cancelled);
  EXPECT_EQ(progress.last, 3);  // stopped at the next tensor after the request
  EXPECT_EQ(entries(tmp.path()), 0);
}
