// `quantlens preprocess` and `quantize --preprocess / --reuse-masks` on stories260K
// (ptq161-spec §6): M_P is an HF directory that `eval` loads with the perplexity the run
// reported; o_proj keeps the first pass's W' while the adapted linears change; the record holds
// the concentration statistic; a cancelled run leaves its work directory and --resume finishes
// it; bad inputs are one line each and leave no output.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "cli_support.h"
#include "quantcore/io/safetensors.h"

namespace fs = std::filesystem;
using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

std::string stories() { return data_path("stories260K/stories260K.bin").string(); }
std::string valid() { return data_path("house-corpus/valid.txt").string(); }

// A short training text of ~60 documents (the house corpus's first 300 kB).
std::string train_text(const TempDir& dir) {
  const fs::path p = dir / "train.txt";
  if (!fs::exists(p))
    quantlens_test::write_bytes(p, quantlens_test::read_text(data_path("house-corpus/train.txt")).substr(0, 300000));
  return p.string();
}

// `preprocess` on stories260K with a tiny schedule; `set` replaces or adds options.
std::vector<std::string> preprocess_args(const TempDir& dir, const std::string& out, const std::string& steps,
                                         const std::map<std::string, std::string>& set = {}) {
  std::map<std::string, std::string> options = {{"--calib", valid()},
                                                {"--nsamples", "4"},
                                                {"--seqlen", "64"},
                                                {"--epochs", "1"},
                                                {"--train-text", train_text(dir)},
                                                {"--steps", steps},
                                                {"--rank", "4"},
                                                {"--max-len", "64"},
                                                {"--cache-dir", (dir / "cache").string()},
                                                {"--out", out}};
  for (const auto& [k, v] : set) options[k] = v;
  std::vector<std::string> args = {"preprocess", stories()};
  for (const auto& [k, v] : options) {
    args.push_back(k);
    if (!v.empty()) args.push_back(v);
  }
  return args;
}

// The first 20 kB of the validation text: perplexities in a second.
std::string short_text(const TempDir& dir) {
  const fs::path p = dir / "short.txt";
  if (!fs::exists(p))
    quantlens_test::write_bytes(p, quantlens_test::read_text(data_path("house-corpus/valid.txt")).substr(0, 20000));
  return p.string();
}

bool same_tensor(const fs::path& a, const fs::path& b, const std::string& name) {
  const quantcore::SafetensorsFile fa(a), fb(b);
  const quantcore::TensorView va = fa.view(*fa.entry(name)), vb = fb.view(*fb.entry(name));
  return va.nbytes == vb.nbytes && std::memcmp(va.data, vb.data, va.nbytes) == 0;
}

TEST(CliPreprocess, WritesAnHfModelThatEvalLoadsWithTheReportedPerplexity) {
  TempDir dir;
  const std::string out = (dir / "mp").string();
  const auto r =
      run_cli(preprocess_args(dir, out, "8", {{"--text", short_text(dir)}, {"--eval-seqlen", "128"}, {"--json", ""}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = r.json();
  EXPECT_EQ(doc["lora"]["steps"], 8);
  EXPECT_EQ(doc["lora"]["resumed_from"], 0);
  for (const char* stage : {"before", "first_pass", "after"})
    for (const char* key : {"in_mask_magnitude", "in_mask_hessian", "top_rows_magnitude", "top_rows_hessian"}) {
      const double v = doc["concentration"][stage]["mean"][key].get<double>();
      EXPECT_GT(v, 0.0) << stage << " " << key;
      EXPECT_LE(v, 1.0) << stage << " " << key;
    }
  for (const char* f :
       {"config.json", "model.safetensors", "tokenizer.bin", "preprocess.json", "first-pass/summary.json",
        "adapter/adapter_model.safetensors", "adapter/adapter_config.json", "adapter/train_log.csv"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  EXPECT_FALSE(fs::exists(out + ".preprocess-partial"));

  const auto eval = run_cli({"eval", out, "--text", short_text(dir), "--seqlen", "128", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_NEAR(eval.json()["ppl"].get<double>(), doc["perplexity"]["preprocessed"].get<double>(), 1e-9);
  const auto first = run_cli({"eval", out + "/first-pass", "--text", short_text(dir), "--seqlen", "128", "--json"});
  EXPECT_NEAR(first.json()["ppl"].get<double>(), doc["perplexity"]["first_pass"].get<double>(), 1e-9);

  // §6.3: o_proj is not adapted, so M_P holds the first pass's W' there; q_proj moved.
  const fs::path mp = fs::path(out) / "model.safetensors", fp = fs::path(out) / "first-pass" / "model.safetensors";
  EXPECT_TRUE(same_tensor(mp, fp, "model.layers.2.self_attn.o_proj.weight"));
  EXPECT_FALSE(same_tensor(mp, fp, "model.layers.2.self_attn.q_proj.weight"));

  // The final pass, with M_P's own masks and with the first pass's.
  const std::vector<std::string> final_pass = {"quantize",   out, "--calib",     valid(),
                                               "--nsamples", "4", "--seqlen",    "64",
                                               "--epochs",   "1", "--cache-dir", (dir / "cache").string()};
  auto reused = final_pass;
  for (const std::string& a : {std::string("--reuse-masks"), out + "/first-pass", std::string("--out"),
                               (dir / "final").string(), std::string("--json")})
    reused.push_back(a);
  const auto q = run_cli(reused);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.json()["settings"]["reuse_masks"], out + "/first-pass");
  EXPECT_TRUE(same_tensor(dir / "final" / "quantization.safetensors",
                          fs::path(out) / "first-pass" / "quantization.safetensors",
                          "model.layers.1.mlp.up_proj.mask"));
}

TEST(CliPreprocess, QuantizeWithPreprocessPutsMpInsideItsOutput) {
  TempDir dir;
  auto args = preprocess_args(dir, (dir / "q").string(), "3", {{"--preprocess", ""}, {"--json", ""}});
  args[0] = "quantize";
  const auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["preprocessed"]["dir"], "preprocessed");
  EXPECT_TRUE(fs::exists(dir / "q" / "preprocessed" / "first-pass" / "summary.json"));
  EXPECT_TRUE(fs::exists(dir / "q" / "preprocessed" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(dir / "q" / "quantization.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "q.preprocess-partial"));
  EXPECT_EQ(r.json()["settings"]["model"], (dir / "q" / "preprocessed").string());
  const nlohmann::json adapter =
      quantlens_test::read_json(dir / "q" / "preprocessed" / "adapter" / "adapter_config.json");
  EXPECT_EQ(adapter["base_model_name_or_path"], "../first-pass");
}

TEST(CliPreprocess, ACancelledRunLeavesItsWorkDirectoryAndResumeFinishesIt) {
  TempDir dir;
  const std::string out = (dir / "mp").string();
  auto args = preprocess_args(dir, out, "200", {{"--checkpoint-every", "5"}});
  const fs::path checkpoint = fs::path(out + ".preprocess-partial") / "adapter" / "checkpoint.safetensors";
  const pid_t pid = quantlens_test::start_cli(args, dir / "log");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(checkpoint));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) GTEST_SKIP() << "the run finished before the interrupt arrived";
  EXPECT_EQ(WEXITSTATUS(status), 130) << quantlens_test::read_text(dir / "log");
  EXPECT_FALSE(fs::exists(out));

  const auto again = run_cli(args);  // without --resume: refused, the work is kept
  quantlens_test::expect_one_line_error(again, "--resume");
  args.push_back("--resume");
  args.push_back("--json");
  const auto resumed = run_cli(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_GT(resumed.json()["lora"]["resumed_from"].get<int64_t>(), 0);
  EXPECT_EQ(resumed.json()["lora"]["steps"], 200);
  EXPECT_TRUE(resumed.json()["first_pass"]["reused"].get<bool>());
  EXPECT_TRUE(fs::exists(fs::path(out) / "model.safetensors"));
  EXPECT_FALSE(fs::exists(out + ".preprocess-partial"));
}

TEST(CliPreprocess, BadInputsAreOneLineAndLeaveNoOutput) {
  TempDir dir;
  const std::string out = (dir / "mp").string();
  auto with = [&](const std::map<std::string, std::string>& set) { return preprocess_args(dir, out, "2", set); };
  quantlens_test::expect_one_line_error(run_cli(with({{"--rank", "65"}})), "--rank: 65 exceeds min(in, out) = 64");
  quantlens_test::expect_one_line_error(run_cli(with({{"--targets", "q_proj,w_proj"}})),
                                        "unknown target module 'w_proj'");
  const std::string blank = (dir / "blank.txt").string();
  quantlens_test::write_bytes(blank, "\n \n\n");
  quantlens_test::expect_one_line_error(run_cli(with({{"--train-text", blank}})), "holds no document", blank);
  quantlens_test::expect_one_line_error(run_cli(with({{"--resume", ""}})), "no preprocessing run to resume");
  quantlens_test::expect_one_line_error(run_cli(with({{"--max-len", "100000"}})),
                                        "--max-len: 100000 tokens exceed the model's context");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".preprocess-partial"));

  // --reuse-masks from a run of another model, and --train-text without --preprocess.
  const std::string first = (dir / "first").string();
  ASSERT_EQ(run_cli({"quantize", stories(), "--calib", valid(), "--nsamples", "2", "--seqlen", "32", "--epochs", "0",
                     "--out", first})
                .exit_code,
            0);
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", data_path("house-llama").string(), "--calib", valid(), "--nsamples", "2", "--seqlen", "32",
               "--epochs", "0", "--reuse-masks", first, "--out", (dir / "q").string()}),
      "--reuse-masks: " + first + " quantised");
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", stories(), "--method", "rtn", "--reuse-masks", first, "--out", (dir / "q").string()}),
      "rtn chooses no salient channels");
  quantlens_test::expect_one_line_error(
      run_cli({"quantize", stories(), "--calib", valid(), "--train-text", valid(), "--out", (dir / "q").string()}),
      "--train-text: is for --preprocess");
  auto both = with({{"--preprocess", ""}, {"--reuse-masks", first}});
  both[0] = "quantize";
  quantlens_test::expect_one_line_error(run_cli(both), "--reuse-masks: with --preprocess");
  EXPECT_FALSE(fs::exists(dir / "q"));
}

}  // namespace
