// Renders a comparison directory's compare.json (as bench/baselines_table.sh assembles it from
// its per-method results) as the comparison's Markdown table and its SVG figure of perplexity
// against stored bits per weight, with the same code `quantlens compare --out` writes them with.
//   compare_figure DIR   ->   DIR/compare.md, DIR/compare.svg
#include <cstdio>
#include <exception>
#include <filesystem>

#include "analysis/compare_directory.h"
#include "analysis/compare_report.h"
#include "quantcore/io/atomic_write.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: compare_figure DIR (holding compare.json)\n");
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    const analysis::CompareResult result = analysis::read_compare_directory(dir);
    quantcore::write_text_atomically(dir / "compare.md", analysis::compare_markdown(result));
    quantcore::write_text_atomically(dir / "compare.svg", analysis::compare_svg(result));
    std::printf("%s: %zu rows -> compare.md, compare.svg\n", dir.string().c_str(), result.rows.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_figure: %s\n", e.what());
    return 2;
  }
  return 0;
}
