#pragma once
// What the subcommands share: the MODEL argument, device options, loading, output.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/checkpoint.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/model/compute_target.h"
#include "quantcore/quantize/quantize_job.h"
#include "quantcore/tokenize/tokenizer.h"

namespace quantcore {
class CausalLM;
}

namespace quantlens_cli {

// A model ready to compute: its checkpoint, tokenizer and forward pass.
struct LoadedModel {
  quantcore::Checkpoint checkpoint;
  std::unique_ptr<quantcore::Tokenizer> tokenizer;
  std::shared_ptr<quantcore::CausalLM> lm;
  // The same, shared, as the quantize job takes it.
  quantcore::quantize::OpenModel open() &&;
};

struct DeviceArgs;

struct ModelArgs {
  std::string model;
  std::string tokenizer;  // llama2.c: tok*.bin when not beside the .bin
  void add_to(CLI::App& sub);
  quantcore::Checkpoint open() const;
  LoadedModel load(const DeviceArgs& device) const;
  // The paths given on the command line, which no output may equal, contain or lie inside.
  std::vector<std::filesystem::path> inputs() const;
};

struct DeviceArgs {
  quantcore::ComputeOptions compute;
  void add_to(CLI::App& sub);
  // {"device", "dtype", "kernels"}: where the result was computed, for --json documents; the
  // kernels are what `model` runs, not only what was asked for.
  nlohmann::json json(const quantcore::CausalLM& model) const;
};

struct OutputArgs {
  bool json = false;
  bool quiet = false;
  void add_to(CLI::App& sub);
  // Prints the JSON document on stdout (only with --json).
  void emit(const nlohmann::json& doc) const;
};

std::unique_ptr<quantcore::Tokenizer> open_tokenizer(const quantcore::Checkpoint& checkpoint);

// A positive integer option (CLI11's PositiveNumber would print its range as a 309-digit number).
const CLI::Validator& positive_integer();

// Ctrl-C sets this token; running jobs stop at their next step.
quantcore::CancelToken& interrupt_token();
// SIGINT, SIGTERM and SIGHUP cancel the running job (interrupt_token) the same way; a second one
// ends the process at once.
void install_interrupt_handler();
// 128 + the number of the signal that cancelled the job (130 for Ctrl-C, 143 for SIGTERM).
int interrupted_exit_status();
// One stderr line per temporary of a killed run that this run removed.
void report_removed_temporaries(const std::vector<std::filesystem::path>& removed);
// Says that quantcore::outputs::restore_interrupted_replacement brought `out` back from `from`.
void report_restored_output(const std::optional<std::filesystem::path>& from, const std::string& out);

}  // namespace quantlens_cli
