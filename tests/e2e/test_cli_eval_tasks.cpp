// `quantlens eval MODEL --task NAME --task-data PATH`: zero-shot accuracy on stories260K, on the
// real PIQA and llama.cpp HellaSwag files in ../shared/data and on the hand-made files of every
// task, and the refusals of the --text / --task choice.
#include <gtest/gtest.h>

#include <cmath>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;

namespace {

const std::string kHandmade = QUANTLENS_SOURCE_DIR "/tests/data/zero_shot/";

std::string stories() { return data_path("stories260K/stories260K.bin").string(); }

std::vector<std::string> task_args(const std::string& task, const std::string& data,
                                   const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"eval", stories(), "--task", task, "--task-data", data};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// acc (or acc_norm) of n items with its stderr: 0/1 samples, so sqrt(p (1 - p) / (n - 1)).
void expect_binary_mean(const nlohmann::json& value, const nlohmann::json& stderr_value, int64_t n) {
  const double p = value.get<double>();
  EXPECT_GE(p, 0);
  EXPECT_LE(p, 1);
  EXPECT_NEAR(p * n, std::round(p * n), 1e-9);
  EXPECT_NEAR(stderr_value.get<double>(), std::sqrt(p * (1 - p) / double(n - 1)), 1e-12);
}

}  // namespace

TEST(CliEvalTasks, PiqaOnTheRealFile) {
  const auto r = run_cli(task_args("piqa", data_path("piqa/valid.jsonl").string(), {"--limit", "20", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = r.json();
  EXPECT_EQ(j.at("task"), "piqa");
  EXPECT_EQ(j.at("count"), 20);
  EXPECT_EQ(j.at("items_in_file"), 1838);
  EXPECT_EQ(j.at("requests"), 40);
  expect_binary_mean(j.at("acc"), j.at("acc_stderr"), 20);
  expect_binary_mean(j.at("acc_norm"), j.at("acc_norm_stderr"), 20);
  EXPECT_TRUE(j.at("perplexity").is_null());
  EXPECT_GT(j.at("seconds").get<double>(), 0);
}

TEST(CliEvalTasks, HellaswagOnLlamaCppsBzip2File) {
  const auto r = run_cli(
      task_args("hellaswag", data_path("hellaswag/hellaswag_val_full.txt.bz2").string(), {"--limit", "10", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = r.json();
  EXPECT_EQ(j.at("count"), 10);
  EXPECT_EQ(j.at("items_in_file"), 10042);
  EXPECT_EQ(j.at("requests"), 40);
  expect_binary_mean(j.at("acc"), j.at("acc_stderr"), 10);
  expect_binary_mean(j.at("acc_norm"), j.at("acc_norm_stderr"), 10);
}

TEST(CliEvalTasks, EveryTaskOnItsHandmadeFile) {
  struct Case {
    const char* task;
    const char* file;
    int64_t count;
    bool acc_norm;
  };
  for (const Case& c :
       {Case{"piqa", "piqa/valid.jsonl", 3, true}, Case{"hellaswag", "hellaswag_val.jsonl", 3, true},
        Case{"arc_easy", "ARC-Easy-Dev.jsonl", 2, true}, Case{"arc_challenge", "ARC-Challenge-Dev.jsonl", 2, true},
        Case{"boolq", "boolq_dev.jsonl", 2, false}, Case{"winogrande", "winogrande_dev.jsonl", 3, false},
        Case{"lambada", "lambada_test.jsonl", 3, false}}) {
    SCOPED_TRACE(c.task);
    const auto r = run_cli(task_args(c.task, kHandmade + c.file, {"--json"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = r.json();
    EXPECT_EQ(j.at("task"), c.task);
    EXPECT_EQ(j.at("count"), c.count);
    expect_binary_mean(j.at("acc"), j.at("acc_stderr"), c.count);
    EXPECT_EQ(!j.at("acc_norm").is_null(), c.acc_norm);
    EXPECT_EQ(j.at("perplexity").is_null(), std::string(c.task) != "lambada");
  }
}

TEST(CliEvalTasks, OneLineSummaryWithoutJson) {
  const auto r = run_cli(task_args("boolq", kHandmade + "boolq_dev.jsonl", {}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("boolq: acc ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("(2 items"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(CliEvalTasks, Refusals) {
  using quantlens_test::expect_one_line_error;
  const std::string text = data_path("house-corpus/valid.txt").string();
  const std::string piqa = kHandmade + "piqa/valid.jsonl";
  expect_one_line_error(run_cli({"eval", stories()}), "give exactly one", "--text, --task");
  expect_one_line_error(run_cli({"eval", stories(), "--text", text, "--task", "piqa", "--task-data", piqa}),
                        "give exactly one", "--text, --task");
  expect_one_line_error(run_cli(task_args("mmlu", piqa, {})), "unknown task \"mmlu\" (one of piqa, hellaswag",
                        "--task");
  expect_one_line_error(run_cli({"eval", stories(), "--task", "piqa"}), "is required with --task piqa", "--task-data");
  expect_one_line_error(run_cli(task_args("piqa", piqa, {"--seqlen", "64"})), "goes with --text", "--seqlen");
  expect_one_line_error(run_cli({"eval", stories(), "--text", text, "--limit", "3"}), "goes with --task", "--limit");

  quantlens_test::TempDir dir;
  quantlens_test::write_bytes(dir / "valid.jsonl",
                              "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n{\"goal\": \"g\"\n");
  quantlens_test::write_bytes(dir / "valid-labels.lst", "0\n1\n");
  expect_one_line_error(run_cli(task_args("piqa", (dir / "valid.jsonl").string(), {})), "parse error",
                        (dir / "valid.jsonl").string() + ":2");
  quantlens_test::write_bytes(dir / "lonely.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n");
  expect_one_line_error(run_cli(task_args("piqa", (dir / "lonely.jsonl").string(), {})), "no such file",
                        (dir / "lonely-labels.lst").string());
}
