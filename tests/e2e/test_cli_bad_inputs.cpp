// The bad-input catalogue of docs/reliability.md, each case through the CLI: exit 2, one line
// naming the file or option and the problem, no signal, memory bounded (a 4 GiB data limit), and
// the inputs byte for byte unchanged.
// Each model is a directory of links to ../shared/data/house-opt with the one file a case
// changes written for real.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_support.h"

namespace fs = std::filesystem;
using nlohmann::json;
using quantlens_test::data_path;
using quantlens_test::read_text;
using quantlens_test::run_cli;
using quantlens_test::TempDir;
using quantlens_test::write_bytes;

namespace {

std::string valid_text() { return data_path("house-corpus/valid.txt").string(); }

// DIR/model: the files of ../shared/data/SOURCE (house-opt unless named) linked, except
// `changed`, which `edit` rewrites from the original.
fs::path model_with(const TempDir& dir, const std::string& changed,
                    const std::function<std::string(const std::string&)>& edit,
                    const std::string& source_name = "house-opt") {
  const fs::path source = data_path(source_name), model = dir / "model";
  fs::create_directory(model);
  for (const auto& e : fs::directory_iterator(source)) {
    const std::string name = e.path().filename().string();
    if (name == changed)
      write_bytes(model / name, edit(read_text(e.path())));
    else
      fs::create_symlink(e.path(), model / name);
  }
  return model;
}

std::function<std::string(const std::string&)> edit_json(const std::function<void(json&)>& change) {
  return [change](const std::string& text) {
    json j = json::parse(text);
    change(j);
    return j.dump();
  };
}

// The safetensors bytes with the first element of `tensor` set to NaN.
std::string with_nan(const std::string& bytes, const std::string& tensor) {
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  const json h = json::parse(bytes.substr(8, header));
  const json& t = h.at(tensor);
  std::string out = bytes;
  const size_t at = 8 + header + t.at("data_offsets").at(0).get<size_t>();
  const std::string dtype = t.at("dtype");
  if (dtype == "F32") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(&out[at], &nan, 4);
  } else {  // F16 and BF16: 0x7e00 and 0x7fc0 are both NaN
    const uint16_t nan = dtype == "F16" ? 0x7e00 : 0x7fc0;
    std::memcpy(&out[at], &nan, 2);
  }
  return out;
}

struct Case {
  const char* name;
  // Writes the inputs into the directory and returns the command and what its one line holds.
  quantlens_test::RefusedCommand (*make)(const TempDir& dir);
};

class CliBadInputs : public ::testing::TestWithParam<Case> {};


TEST_P(CliBadInputs, OneLineExitTwoAndInputsUnchanged) {
  TempDir dir;
  const quantlens_test::RefusedCommand c = GetParam().make(dir);
  const auto before = quantlens_test::files_under(dir.path());
  // Under 4 GiB of data: a size read from a small file cannot make the process grow past it.
  quantlens_test::expect_one_line_error(quantlens_test::run_cli_bounded(c.args, 4096), c.needle, c.file);
  EXPECT_EQ(quantlens_test::files_under(dir.path()), before);
}

std::vector<std::string> eval_args(const fs::path& model) {
  return {"eval", model.string(), "--text", valid_text(), "--seqlen", "64", "--max-windows", "2"};
}

quantlens_test::RefusedCommand config_layers_beyond_the_weights(const TempDir& dir) {
  const fs::path m = model_with(dir, "config.json", edit_json([](json& c) { c["num_hidden_layers"] = 10000000; }));
  return {eval_args(m), "declares 10000000 layers", m.string()};
}

quantlens_test::RefusedCommand config_number_overflow(const TempDir& dir) {
  const fs::path m = model_with(dir, "config.json", [](const std::string& text) {
    json c = json::parse(text);
    c["layer_norm_eps"] = 12345;  // a number to replace by one beyond double
    std::string out = c.dump();
    return out.replace(out.find("12345"), 5, "1e400");
  });
  return {eval_args(m), "number overflow", (m / "config.json").string()};
}

quantlens_test::RefusedCommand nan_weight(const TempDir& dir) {
  const fs::path m = model_with(dir, "model.safetensors", [](const std::string& bytes) {
    return with_nan(bytes, "model.decoder.layers.1.fc1.weight");
  });
  return {eval_args(m), "'model.decoder.layers.1.fc1.weight' holds NaN", (m / "model.safetensors").string()};
}

quantlens_test::RefusedCommand tokenizer_id_overflow(const TempDir& dir) {
  const fs::path m = model_with(dir, "tokenizer.json", edit_json([](json& t) {
                                  t["added_tokens"].push_back({{"id", 2147483647}, {"content", "<big>"}});
                                }));
  return {eval_args(m), "2147483647, beyond any real vocabulary", (m / "tokenizer.json").string()};
}

quantlens_test::RefusedCommand tokenizer_fractional_id(const TempDir& dir) {
  const fs::path m = model_with(dir, "tokenizer.json", edit_json([](json& t) { t["model"]["vocab"]["zq"] = 1e10; }));
  return {eval_args(m), "not an integer id", (m / "tokenizer.json").string()};
}

quantlens_test::RefusedCommand tokenizer_nested_deep(const TempDir& dir) {
  const fs::path m = model_with(dir, "tokenizer.json", [](const std::string&) {
    return std::string(50000, '[') + std::string(50000, ']');
  });
  return {eval_args(m), "nested deeper than", (m / "tokenizer.json").string()};
}

quantlens_test::RefusedCommand token_past_the_embedding(const TempDir& dir) {
  // Real checkpoints carry added tokens the embedding has no row for: refused when produced.
  const fs::path m = model_with(dir, "tokenizer.json", edit_json([](json& t) {
                                  t["added_tokens"].push_back(
                                      {{"id", 8192}, {"content", "<extra>"}, {"special", false}});
                                }));
  return {{"score", m.string(), "--text", "Once upon a time <extra>"}, "token id 8192 is outside",
          (m / "model.safetensors").string()};
}

quantlens_test::RefusedCommand negative_norm_eps(const TempDir& dir) {
  const fs::path m = model_with(
      dir, "config.json", edit_json([](json& c) { c["rms_norm_eps"] = -1; }), "house-llama");
  return {eval_args(m), "'rms_norm_eps' must be a positive finite number", (m / "config.json").string()};
}

quantlens_test::RefusedCommand zero_samples(const TempDir&) {
  return {{"quantize", data_path("house-opt").string(), "--calib", valid_text(), "--nsamples", "0", "--out", "o"},
          "--nsamples: must be a positive integer (1 or more), got \"0\""};
}

quantlens_test::RefusedCommand infinite_learning_rate(const TempDir&) {
  return {{"quantize", data_path("house-opt").string(), "--calib", valid_text(), "--lr-r", "inf", "--out", "o"},
          "--lr-r"};
}

quantlens_test::RefusedCommand nan_salient_ratio(const TempDir&) {
  return {{"quantize", data_path("house-opt").string(), "--calib", valid_text(), "--salient-ratio", "nan", "--out", "o"},
          "--salient-ratio"};
}

std::string stories() { return data_path("stories260K/stories260K.bin").string(); }

quantlens_test::RefusedCommand output_folder_missing(const TempDir& dir) {
  const std::string out = (dir / "no" / "such" / "q").string();
  return {{"quantize", stories(), "--method", "rtn", "--out", out}, "does not exist", out};
}

quantlens_test::RefusedCommand non_utf8_output(const TempDir& dir) {
  const std::string out = (dir / "q\xff\xfe").string();
  return {{"quantize", stories(), "--method", "rtn", "--out", out}, "is not valid UTF-8", out};
}

quantlens_test::RefusedCommand over_long_path(const TempDir&) {
  const std::string path = "/" + std::string(5000, 'a');
  return {{"info", path}, "File name too long", path};
}

quantlens_test::RefusedCommand non_finite_loss(const TempDir& dir) {
  // Learning rates at the top of their range blow the loss up within a step or two. The cache
  // lives outside `dir`, whose files must stay as they were.
  static const TempDir cache;
  return {{"quantize", stories(), "--calib", valid_text(), "--nsamples", "2", "--seqlen", "32", "--lr-r", "1000",
           "--lr-alpha", "1000", "--epochs", "4", "--cache-dir", cache.path().string(), "--out",
           (dir / "q").string()},
          "the run stops", "block 0: the loss is "};
}

INSTANTIATE_TEST_SUITE_P(Catalogue, CliBadInputs,
                         ::testing::Values(Case{"ConfigLayersBeyondTheWeights", config_layers_beyond_the_weights},
                                           Case{"ConfigNumberOverflow", config_number_overflow},
                                           Case{"NanWeight", nan_weight},
                                           Case{"TokenizerIdOverflow", tokenizer_id_overflow},
                                           Case{"TokenizerFractionalId", tokenizer_fractional_id},
                                           Case{"TokenizerNestedDeep", tokenizer_nested_deep},
                                           Case{"TokenPastTheEmbedding", token_past_the_embedding},
                                           Case{"NegativeNormEps", negative_norm_eps},
                                           Case{"ZeroSamples", zero_samples},
                                           Case{"InfiniteLearningRate", infinite_learning_rate},
                                           Case{"NanSalientRatio", nan_salient_ratio},
                                           Case{"OutputFolderMissing", output_folder_missing},
                                           Case{"NonUtf8Output", non_utf8_output},
                                           Case{"OverLongPath", over_long_path},
                                           Case{"NonFiniteLossStopsTheRun", non_finite_loss}),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// POSIX paths are bytes: a model under a name that is not UTF-8 opens and evaluates, and the
// JSON documents show the name with U+FFFD instead of failing once the work is done.
TEST(CliPaths, AModelPathThatIsNotUtf8StillRuns) {
  TempDir dir;
  const fs::path model = dir / "stories\xff.bin";
  fs::create_symlink(data_path("stories260K/stories260K.bin"), model);
  fs::create_symlink(data_path("stories260K/tok512.bin"), dir / "tok512.bin");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"info", model.string(), "--json"},
        std::vector<std::string>{"eval", model.string(), "--text", valid_text(), "--seqlen", "64", "--max-windows",
                                 "1", "--json"}}) {
    const auto r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_NO_THROW((void)json::parse(r.out)) << r.out;
  }
}

}  // namespace
