#include "analysis/compare_directory.h"

#include <limits>
#include <optional>
#include <string>

#include "analysis/compare_report.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"

namespace analysis {

namespace fs = std::filesystem;

namespace {

// Reads compare.json's fields, naming the file and the field for anything missing or mistyped.
class JsonReader {
public:
  explicit JsonReader(std::string file) : file_(std::move(file)) {}
  const nlohmann::json& at(const nlohmann::json& j, const char* key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + key + " is missing");
    return j[key];
  }
  double number(const nlohmann::json& j, const char* key, const std::string& where) const {
    const nlohmann::json& v = at(j, key, where);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();  // JSON has no NaN: written as null
    if (!v.is_number()) fail(where + key + " is not a number");
    return v.get<double>();
  }
  std::optional<double> optionalNumber(const nlohmann::json& j, const char* key) const {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
    return j[key].get<double>();
  }
  std::string text(const nlohmann::json& j, const char* key, const std::string& where) const {
    const nlohmann::json& v = at(j, key, where);
    if (!v.is_string()) fail(where + key + " is not a string");
    return v.get<std::string>();
  }
  [[noreturn]] void fail(const std::string& problem) const { throw quantcore::InputError(file_, problem); }

private:
  std::string file_;
};

std::optional<ZeroShotResult> accuracyOf(const JsonReader& in, const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return std::nullopt;
  ZeroShotResult a;
  a.task = in.text(j, "task", where);
  a.acc = in.number(j, "acc", where);
  a.acc_stderr = in.optionalNumber(j, "acc_stderr");
  a.acc_norm = in.optionalNumber(j, "acc_norm");
  a.acc_norm_stderr = in.optionalNumber(j, "acc_norm_stderr");
  a.count = static_cast<int64_t>(in.optionalNumber(j, "count").value_or(0));
  return a;
}

CompareRow rowOf(const JsonReader& in, const nlohmann::json& j, size_t index, const PerplexityResult& windows) {
  const std::string where = "rows[" + std::to_string(index) + "].";
  CompareRow row;
  row.method = in.text(j, "method", where);
  row.spelling = in.text(j, "spelling", where);
  if (j.contains("parameters")) row.parameters = j["parameters"];
  if (j.contains("settings") && j["settings"].is_object()) row.settings = j["settings"];
  const nlohmann::json& bits = in.at(j, "bits", where);
  row.paper_bits = in.number(bits, "paper", where + "bits.");
  row.stored_bits = in.number(bits, "stored", where + "bits.");
  row.bits_from_bytes = in.optionalNumber(bits, "from_bytes");
  row.perplexity = windows;
  row.perplexity.ppl = in.number(j, "ppl", where);
  if (j.contains("accuracy")) row.accuracy = accuracyOf(in, j["accuracy"], where + "accuracy.");
  row.seconds = in.optionalNumber(j, "seconds").value_or(0);
  row.peak_memory_bytes = static_cast<int64_t>(in.optionalNumber(j, "peak_memory_bytes").value_or(0));
  if (j.contains("notices") && j["notices"].is_array())
    for (const nlohmann::json& n : j["notices"])
      if (n.is_string()) row.notices.push_back(n.get<std::string>());
  if (j.contains("layer_errors")) {
    const nlohmann::json& layers = j["layer_errors"];
    if (!layers.is_array()) in.fail(where + "layer_errors is not a list");
    for (size_t k = 0; k < layers.size(); ++k) {
      const std::string at = where + "layer_errors[" + std::to_string(k) + "].";
      row.layer_errors.push_back({static_cast<int64_t>(in.number(layers[k], "block", at)),
                                  in.text(layers[k], "linear", at), in.number(layers[k], "relative_error", at)});
    }
  }
  return row;
}

}  // namespace

CompareResult read_compare_directory(const fs::path& directory) {
  const fs::path path = directory / kCompareJson;
  const nlohmann::json j = quantcore::detail::read_json_file(path);
  const JsonReader in(path.string());
  if (!j.is_object()) in.fail("not a JSON object (not a comparison's compare.json)");
  CompareResult result;
  result.model = j.contains("model") && j["model"].is_string() ? j["model"].get<std::string>() : std::string();
  result.calibration_seconds = in.optionalNumber(j, "calibration_seconds").value_or(0);
  result.cancelled = j.contains("cancelled") && j["cancelled"].is_boolean() && j["cancelled"].get<bool>();
  if (j.contains("failure") && j["failure"].is_string()) result.failure = j["failure"].get<std::string>();
  if (j.contains("setup") && j["setup"].is_object()) result.setup = j["setup"];
  result.fp_perplexity.windows = static_cast<int64_t>(in.optionalNumber(j, "ppl_windows").value_or(0));
  result.fp_perplexity.seqlen = static_cast<int64_t>(in.optionalNumber(j, "ppl_seqlen").value_or(0));
  PerplexityResult windows = result.fp_perplexity;
  const nlohmann::json& fp = in.at(j, "fp", "");
  result.fp_perplexity.ppl = in.number(fp, "ppl", "fp.");
  if (fp.contains("accuracy")) result.fp_accuracy = accuracyOf(in, fp["accuracy"], "fp.accuracy.");
  const nlohmann::json& rows = in.at(j, "rows", "");
  if (!rows.is_array()) in.fail("rows is not a list");
  for (size_t i = 0; i < rows.size(); ++i) result.rows.push_back(rowOf(in, rows[i], i, windows));
  return result;
}

void write_compare_directory(const CompareResult& result, const fs::path& dest, bool force) {
  quantcore::outputs::StagingDir staging(dest);
  const fs::path& dir = staging.path();
  quantcore::write_text_atomically(dir / kCompareJson, compare_json(result).dump(2) + "\n");
  quantcore::write_text_atomically(dir / "compare.md", compare_markdown(result));
  quantcore::write_text_atomically(dir / "compare.csv", compare_csv(result));
  quantcore::write_text_atomically(dir / "layer_errors.csv", layer_errors_csv(result));
  quantcore::write_text_atomically(dir / "compare.svg", compare_svg(result));
  staging.commit(dest, force);
}

}  // namespace analysis
