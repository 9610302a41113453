// `quantlens dump-info`: what an HDF5 analysis dump holds, read back through the dump reader.
#include <cstdio>
#include <memory>

#include "analysis/dump_reader.h"
#include "command_support.h"
#include "commands.h"

namespace quantlens_cli {

void define_dump_info(CLI::App& sub, Action& action) {
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<OutputArgs>();
  sub.add_option("FILE", *file, "An analysis dump (.h5)")->required();
  out->add_to(sub);
  action = [file, out] {
    const analysis::DumpReader reader(*file);
    const analysis::DumpHeader& h = reader.header();
    nlohmann::json layers = nlohmann::json::array();
    for (const analysis::DumpBlock& b : reader.read_blocks()) {
      for (const analysis::DumpLinear& l : b.linears) {
        nlohmann::json j = {{"name", l.name},
                            {"shape", {l.out_features, l.in_features}},
                            {"salient_columns", l.salient_columns},
                            {"salient_ratio", l.salient_ratio},
                            {"bits", l.bits},
                            {"error_bound", l.error_bound},
                            {"relative_error", l.relative_error}};
        if (l.learned_relative_error) {
          j["learned_error_bound"] = *l.learned_error_bound;
          j["learned_relative_error"] = *l.learned_relative_error;
        }
        layers.push_back(j);
      }
      if (b.loss && b.loss->size() > 0) layers.back()["block_final_loss"] = b.loss->total.back();
    }
    const nlohmann::json doc = {{"file", *file},
                                {"content", h.content},
                                {"format_version", h.format_version},
                                {"quantlens_version", h.quantlens_version},
                                {"created", h.created},
                                {"model", h.model},
                                {"architecture", h.architecture},
                                {"num_layers", h.num_layers},
                                {"bits_per_weight", h.bits_per_weight},
                                {"layers", layers}};
    if (out->json) {
      out->emit(doc);
      return 0;
    }
    std::printf("%s: %s dump of %s (%s, %lld blocks), written %s by quantlens %s\n", file->c_str(), h.content.c_str(),
                h.model.c_str(), h.architecture.c_str(), (long long)h.num_layers, h.created.c_str(),
                h.quantlens_version.c_str());
    std::printf("%-44s %8s %8s %12s %10s\n", "linear", "salient", "bits", "error_bound", "rel_error");
    for (const auto& l : layers)
      std::printf("%-44s %8.4f %8.4f %12.5g %10.5f\n", l.at("name").get<std::string>().c_str(),
                  l.at("salient_ratio").get<double>(), l.at("bits").get<double>(), l.at("error_bound").get<double>(),
                  l.value("learned_relative_error", l.at("relative_error").get<double>()));
    std::printf("bits per weight: %.4f\n", h.bits_per_weight);
    return 0;
  };
}

}  // namespace quantlens_cli
