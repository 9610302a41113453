#pragma once
// A comparison's table and figure as files: JSON, Markdown, CSV (the table and the per-layer
// errors) and an SVG scatter of perplexity against stored bits per weight, written as text so
// the CLI stays Qt-free (the Studio exports PNG and PDF from its own chart). Torch-free.
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/compare_job.h"

namespace analysis {

nlohmann::json compare_json(const CompareResult& result);
// One row per method after the FP row: method, settings, bits (paper, stored, from bytes), PPL,
// accuracy (when a task ran), seconds, peak memory.
std::string compare_markdown(const CompareResult& result);
std::string compare_csv(const CompareResult& result);
// Layers as rows ("block.linear"), methods as columns: ‖(W − W′)X‖ / ‖WX‖.
std::string layer_errors_csv(const CompareResult& result);
// PPL (log axis) against stored bits per weight, a labelled point per method and the FP PPL
// as a dashed line.
std::string compare_svg(const CompareResult& result);

}  // namespace analysis
