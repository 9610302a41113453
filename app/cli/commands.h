#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace quantlens_cli {

// What a subcommand does once its options are parsed; returns the exit code.
using Action = std::function<int()>;

// One row per subcommand: the CLI help, and any later list of commands, loop over this table.
struct Command {
  const char* name;
  const char* summary;
  // Declares the subcommand's options on `sub` and sets `action`.
  void (*define)(CLI::App& sub, Action& action);
};

const std::vector<Command>& commands();

void define_info(CLI::App& sub, Action& action);
void define_tokenize(CLI::App& sub, Action& action);
void define_generate(CLI::App& sub, Action& action);
void define_score(CLI::App& sub, Action& action);
void define_eval(CLI::App& sub, Action& action);
void define_methods(CLI::App& sub, Action& action);
void define_quantize(CLI::App& sub, Action& action);
void define_compare(CLI::App& sub, Action& action);
void define_preprocess(CLI::App& sub, Action& action);
#if QUANTLENS_HAVE_HDF5
void define_dump(CLI::App& sub, Action& action);
void define_dump_info(CLI::App& sub, Action& action);
#endif
void define_export(CLI::App& sub, Action& action);

}  // namespace quantlens_cli
