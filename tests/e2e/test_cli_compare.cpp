// `quantlens compare` end to end on stories260K: every method on the same windows, one row each
// with bits three ways, the files of --out (their numbers agree with the JSON), the per-layer
// errors, and refused inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "cli_support.h"

using quantlens_test::data_path;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> compare_args(const std::string& methods, const std::string& out) {
  const std::string text = data_path("house-corpus/valid.txt").string();
  return {"compare",       data_path("stories260K/stories260K.bin").string(),
          "--methods",     methods,
          "--calib",       text,
          "--nsamples",    "4",
          "--seqlen",      "64",
          "--text",        text,
          "--max-windows", "4",
          "--out",         out,
          "--json"};
}

TEST(CliCompare, EveryMethodOnTheSameWindowsWithItsBitsAndPerLayerErrors) {
  TempDir tmp;
  const std::string out = (tmp / "cmp").string();
  auto r = run_cli(compare_args("rtn:bits=3,gptq:bits=3,ptq161:epochs=1:paper=no-mean,alpha-l1", out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = r.json();
  ASSERT_EQ(doc.at("rows").size(), 3u);
  EXPECT_FALSE(doc.at("cancelled").get<bool>());
  EXPECT_EQ(doc.at("rows")[2].at("spelling"), "ptq161:epochs=1:paper=no-mean,alpha-l1");  // a list value kept its comma
  const double fp = doc.at("fp").at("ppl").get<double>();
  for (const auto& row : doc.at("rows")) {
    const double ppl = row.at("ppl").get<double>();
    EXPECT_TRUE(std::isfinite(ppl) && ppl > fp * 0.98) << row.at("spelling");
    EXPECT_GE(row.at("bits").at("stored").get<double>(), row.at("bits").at("paper").get<double>());
    ASSERT_FALSE(row.at("layer_errors").empty());
    for (const auto& e : row.at("layer_errors")) {
      const double v = e.at("relative_error").get<double>();
      EXPECT_TRUE(v > 0 && v < 1.5) << e.dump();
    }
  }
  EXPECT_TRUE(doc.at("rows")[0].at("bits").at("from_bytes").is_null());         // rtn: no packed form
  EXPECT_GT(doc.at("rows")[2].at("bits").at("from_bytes").get<double>(), 1.0);  // ptq161: measured on its file
  // One error per quantised linear, in the same order for every method.
  EXPECT_EQ(doc.at("rows")[0].at("layer_errors").size(), doc.at("rows")[1].at("layer_errors").size());
  EXPECT_EQ(doc.at("rows")[0].at("layer_errors")[3].at("linear"), doc.at("rows")[2].at("layer_errors")[3].at("linear"));

  for (const char* f : {"compare.json", "compare.md", "compare.csv", "compare.svg", "layer_errors.csv"})
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out) / f)) << f;
  EXPECT_EQ(nlohmann::json::parse(read(std::filesystem::path(out) / "compare.json")).at("rows"), doc.at("rows"));
  const std::string md = read(std::filesystem::path(out) / "compare.md");
  EXPECT_NE(md.find("| gptq | gptq:bits=3 | 3.000 | 3.252 |"), std::string::npos) << md;
  const std::string csv = read(std::filesystem::path(out) / "compare.csv");
  EXPECT_NE(csv.find("\"ptq161:epochs=1:paper=no-mean,alpha-l1\""), std::string::npos) << csv;  // quoted comma
  const std::string svg = read(std::filesystem::path(out) / "compare.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<title>gptq:bits=3: 3.252 bits"), std::string::npos);
}

TEST(CliCompare, BadInputsAreOneLineErrors) {
  TempDir tmp;
  const std::string out = (tmp / "cmp").string();
  quantlens_test::expect_one_line_error(run_cli(compare_args("rtn,nosuch:bits=2", out)), "--methods");
  quantlens_test::expect_one_line_error(run_cli(compare_args("rtn,nosuch", out)), "nosuch");
  quantlens_test::expect_one_line_error(run_cli(compare_args("rtn:bits=9", out)), "bits");
  auto args = compare_args("rtn", out);
  args.insert(args.end(), {"--task-data", "x.jsonl"});
  quantlens_test::expect_one_line_error(run_cli(args), "--task-data: given without --task");
  auto missing = compare_args("rtn", out);
  missing[11] = (tmp / "absent.txt").string();  // --text
  quantlens_test::expect_one_line_error(run_cli(missing), "absent.txt");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliCompare, AMethodThatFailsStopsTheComparisonWithTheFinishedRowsKept) {
  // PTQ1.61 with learning rates far too large diverges on its first step: a real failure, not a
  // bad spelling. The RTN row before it is written; GPTQ after it never runs.
  TempDir tmp;
  const std::filesystem::path out = tmp / "cmp";
  auto r = run_cli(compare_args("rtn:bits=3,ptq161:epochs=2:lr-alpha=1000:lr-r=1000,gptq:bits=3", out.string()));
  EXPECT_EQ(r.exit_code, 2);
  // The error is the last line on stderr (after the finished row's progress line).
  const std::string last = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
  EXPECT_EQ(last.rfind("quantlens: error: --methods: ptq161:epochs=2:lr-alpha=1000:lr-r=1000: block 0", 0), 0u) << r.err;
  const nlohmann::json saved = quantlens_test::read_json(out / "compare.json");
  ASSERT_EQ(saved.at("rows").size(), 1u);
  EXPECT_EQ(saved.at("rows")[0].at("spelling"), "rtn:bits=3");
  EXPECT_NE(saved.at("failure").get<std::string>().find("the loss is inf"), std::string::npos) << saved.at("failure");
  EXPECT_EQ(saved.at("setup").at("nsamples"), 4);
  EXPECT_EQ(saved.at("setup").at("calib"), data_path("house-corpus/valid.txt").string());
  EXPECT_EQ(saved.at("rows")[0].at("settings").at("spelling"), "rtn:bits=3");
  EXPECT_TRUE(saved.at("rows")[0].at("settings").at("calib").is_null());  // RTN takes no calibration
}

}  // namespace
