// Packed PTQ1.61 checkpoints end to end: a packed directory loads back to exactly the weights of
// the fake-quant directory of the same run and evaluates to the same perplexity; the dense fp16
// export matches too; tampered packed files fail with one line naming the file and the tensor;
// a cancelled quantize leaves nothing under the final name.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>

#include "cli_support.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace fs = std::filesystem;
using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

const fs::path kStories = fs::path(QUANTLENS_SOURCE_DIR) / "resources/models/stories260K/stories260K.bin";
const fs::path kLittleStories = fs::path(QUANTLENS_SOURCE_DIR) / "resources/text/little-stories.txt";

// Every tensor the architecture expects, byte for byte (dtype and shape too).
void expect_same_weights(const quantcore::Checkpoint& a, const quantcore::Checkpoint& b) {
  int64_t compared = 0;
  for (const auto& e : quantcore::expected_tensors(a.spec)) {
    const auto va = a.weights->find(e.name), vb = b.weights->find(e.name);
    ASSERT_TRUE(va && vb) << e.name;
    EXPECT_EQ(va->dtype, vb->dtype) << e.name;
    EXPECT_EQ(va->shape, vb->shape) << e.name;
    ASSERT_EQ(va->nbytes, vb->nbytes) << e.name;
    EXPECT_EQ(std::memcmp(va->data, vb->data, va->nbytes), 0) << e.name;
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

// Quantizes `model` twice with the same settings (hf and packed) and checks both load to the
// same weights and evaluate to the same perplexity. Returns the packed directory's summary.
nlohmann::json check_round_trip(const TempDir& tmp, const std::string& model, const std::string& calib,
                                const std::string& text, const std::vector<std::string>& extra) {
  TempDir cache;
  const std::string hf = (tmp / "hf").string(), packed = (tmp / "packed").string();
  auto quantize = [&](const std::string& out, const char* format) {
    std::vector<std::string> args = {"--format", format};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(quantlens_test::quantize_args(model, calib, cache.path().string(), out, args));
  };
  auto r1 = quantize(hf, "hf");
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  auto r2 = quantize(packed, "packed");
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  if (r1.exit_code != 0 || r2.exit_code != 0) return {};

  const quantcore::Checkpoint a = quantcore::open_checkpoint(hf);
  const quantcore::Checkpoint b = quantcore::open_model_checkpoint(packed);
  EXPECT_EQ(b.format, quantcore::CheckpointFormat::Packed);
  expect_same_weights(a, b);
  EXPECT_EQ(quantlens_test::eval_ppl(hf, text), quantlens_test::eval_ppl(packed, text));
  return quantlens_test::read_json(tmp / "packed/summary.json");
}

}  // namespace

TEST(CliPacked, Stories260KPackedEqualsFakeQuant) {
  TempDir tmp;
  const nlohmann::json summary =
      check_round_trip(tmp, kStories.string(), kLittleStories.string(), kLittleStories.string(), {"--epochs", "1"});
  ASSERT_FALSE(summary.empty());
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.bin", "summary.json"})
    EXPECT_TRUE(fs::is_regular_file(tmp / ("packed/" + std::string(f)))) << f;
  EXPECT_FALSE(fs::exists(tmp / "packed/quantization.safetensors"));
  const nlohmann::json config = quantlens_test::read_json(tmp / "packed/config.json");
  EXPECT_EQ(config.at("quantization_config").at("format"), "ptq161-packed");
  EXPECT_EQ(config.at("quantization_config").at("format_version"), 1);

  // Bits from bytes beside the formula: the bytes also pay for padding, fp16 zero points and the header.
  const double formula = summary.at("bits").at("bits_per_weight").get<double>();
  const double bytes = summary.at("bits_from_bytes").at("bits_per_weight").get<double>();
  EXPECT_GT(bytes, formula);
  EXPECT_LT(bytes, formula + 3.0);
  EXPECT_EQ(summary.at("bits_from_bytes").at("layers").size(), summary.at("bits").at("layers").size());

  auto info = run_cli({"info", (tmp / "packed").string(), "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = info.json();
  EXPECT_EQ(j.at("format"), "ptq161-packed");
  EXPECT_EQ(j.at("method"), "ptq161");
  EXPECT_DOUBLE_EQ(j.at("bits_per_weight").get<double>(), formula);
  EXPECT_DOUBLE_EQ(j.at("bits_per_weight_from_bytes").get<double>(), bytes);
}

TEST(CliPacked, HouseLlamaRoundTripAndDenseExport) {
  TempDir tmp;
  const std::string text = data_path("house-corpus/valid.txt").string();
  const nlohmann::json summary =
      check_round_trip(tmp, data_path("house-llama").string(), text, text, {"--epochs", "0"});
  ASSERT_FALSE(summary.empty());
  std::printf("house-llama bits per weight: formula %.4f, paper %.4f, from bytes %.4f\n",
              summary.at("bits").at("bits_per_weight").get<double>(),
              summary.at("bits").at("paper_bits_per_weight").get<double>(),
              summary.at("bits_from_bytes").at("bits_per_weight").get<double>());

  const std::string dense = (tmp / "dense").string();
  auto r = run_cli({"export", (tmp / "packed").string(), "--dense-hf", "--out", dense});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(quantlens_test::read_json(tmp / "dense/config.json").contains("quantization_config"));
  EXPECT_TRUE(fs::is_regular_file(tmp / "dense/tokenizer.model"));
  expect_same_weights(quantcore::open_checkpoint(tmp / "hf"), quantcore::open_checkpoint(dense));
  const double dense_ppl = quantlens_test::eval_ppl(dense, text);
  EXPECT_EQ(dense_ppl, quantlens_test::eval_ppl((tmp / "hf").string(), text));

  // The packed kernels compute with the unrounded W' (docs/kernels.md: within 2^-11 relative per
  // weight of the dense fp16 W', plus accumulation order); over 8 windows the perplexity moves
  // far less than that bound allows per product.
  const double packed_ppl =
      quantlens_test::eval_ppl((tmp / "packed").string(), text, quantlens_test::kCalibSeqlen, {"--kernels", "packed"});
  std::printf("house-llama PPL: dense fp16 W' %.6f, packed kernels %.6f\n", dense_ppl, packed_ppl);
  EXPECT_NEAR(packed_ppl, dense_ppl, 1e-3 * dense_ppl);
}

TEST(CliPacked, HouseOptRoundTrip) {
  TempDir tmp;
  const std::string text = data_path("house-corpus/valid.txt").string();
  EXPECT_FALSE(check_round_trip(tmp, data_path("house-opt").string(), text, text, {"--no-learn"}).empty());
}

namespace {

// Rewrites a packed model.safetensors through `edit` (tensor name -> keep?), optionally changing metadata.
void rewrite(const fs::path& file, const std::function<bool(const std::string&, quantcore::TensorView&)>& edit,
             const std::map<std::string, std::string>& metadata_changes = {}) {
  std::vector<std::pair<std::string, std::vector<unsigned char>>> keep;
  quantcore::SafetensorsWriter w;
  {
    quantcore::SafetensorsFile in(file);
    for (const auto& e : in.entries()) {
      quantcore::TensorView v = in.view(e);
      if (!edit(e.name, v)) continue;
      w.add(e.name, v.dtype, v.shape, v.data, v.nbytes);
    }
    for (auto [k, val] : in.metadata()) {
      if (auto it = metadata_changes.find(k); it != metadata_changes.end()) val = it->second;
      w.set_metadata(k, val);
    }
  }
  w.write(file);
}

const std::string kTamperedTensor = "model.layers.1.mlp.down_proj.a";

void future_version(const fs::path& file) {
  rewrite(file, [](const std::string&, quantcore::TensorView&) { return true; }, {{"quantlens.format_version", "2"}});
}

void missing_tensor(const fs::path& file) {
  rewrite(file, [](const std::string& n, quantcore::TensorView&) { return n != kTamperedTensor; });
}

void wrong_shape(const fs::path& file) {
  rewrite(file, [](const std::string& n, quantcore::TensorView& v) {
    if (n == kTamperedTensor) {
      v.shape[0] -= 1;
      v.nbytes -= quantcore::dtype_size(v.dtype);
    }
    return true;
  });
}

void truncated(const fs::path& file) { fs::resize_file(file, fs::file_size(file) - 100); }

struct Tampering {
  const char* name;
  void (*edit)(const fs::path& model_file);
  std::string mention;
};

void PrintTo(const Tampering& t, std::ostream* os) { *os << t.name; }

// One packed stories260K, quantized once per test process; each case tampers with a copy of it.
class CliPackedTampered : public ::testing::TestWithParam<Tampering> {
protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    TempDir cache;
    quantized_ =
        run_cli(quantlens_test::quantize_args(kStories.string(), kLittleStories.string(), cache.path().string(),
                                              (*tmp_ / "good").string(), {"--format", "packed", "--no-learn"}));
  }
  static void TearDownTestSuite() { tmp_.reset(); }
  static inline std::unique_ptr<TempDir> tmp_;
  static inline quantlens_test::CliResult quantized_;
};

}  // namespace

TEST_P(CliPackedTampered, FailsWithOneLineNamingTheFile) {
  ASSERT_EQ(quantized_.exit_code, 0) << quantized_.err;
  const fs::path dir = *tmp_ / GetParam().name;
  fs::copy(*tmp_ / "good", dir, fs::copy_options::recursive);
  const fs::path file = dir / "model.safetensors";
  GetParam().edit(file);
  quantlens_test::expect_one_line_error(
      run_cli({"eval", dir.string(), "--text", kLittleStories.string(), "--seqlen", "64", "--max-windows", "1"}),
      GetParam().mention, file.string());
}

INSTANTIATE_TEST_SUITE_P(
    PackedFiles, CliPackedTampered,
    ::testing::Values(Tampering{"FutureVersion", future_version, "version 2"},
                      Tampering{"MissingTensor", missing_tensor, "missing tensor '" + kTamperedTensor + "'"},
                      Tampering{"WrongShape", wrong_shape, "tensor '" + kTamperedTensor + "' has shape"},
                      Tampering{"Truncated", truncated, "run past the data buffer"}),
    [](const auto& info) { return std::string(info.param.name); });

namespace {

// Whether `pid` has a handler installed for SIGINT (bit 2 of SigCgt in /proc/PID/status).
bool catches_sigint(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1u;
  return false;
}

}  // namespace

TEST(CliPacked, CancelledQuantizeLeavesNothing) {
  TempDir tmp;
  TempDir cache;
  const fs::path out = tmp / "q";
  std::vector<std::string> args = {quantlens_test::cli_path()};
  for (const auto& a : quantlens_test::quantize_args(kStories.string(), kLittleStories.string(), cache.path().string(),
                                                     out.string(), {"--format", "packed", "--epochs", "1000", "-q"}))
    args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  // Ctrl-C once the handler is in place and the optimisation is under way.
  for (int i = 0; i < 600 && !catches_sigint(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);  // quantlens: cancelled
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(tmp.path())) ADD_FAILURE() << "left behind: " << e.path();
}
