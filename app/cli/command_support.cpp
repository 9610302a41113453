#include "command_support.h"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "quantcore/io/errors.h"
#include "quantcore/model/load_model.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace quantlens_cli {

void ModelArgs::add_to(CLI::App& sub) {
  sub.add_option("MODEL", model, "HF model directory, packed PTQ1.61 directory or llama2.c .bin")->required();
  sub.add_option("--tokenizer", tokenizer, "Tokenizer file for a llama2.c .bin (tok*.bin)");
}

const CLI::Validator& positive_integer() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec == std::errc::result_out_of_range) return "must be a positive integer up to 9223372036854775807";
        if (ec != std::errc() || ptr != end || text.empty() || value < 1)
          return "must be a positive integer (1 or more), got \"" + text + "\"";
        return "";
      },
      "POSITIVE");
  return validator;
}

std::vector<std::filesystem::path> ModelArgs::inputs() const { return {model, tokenizer}; }

quantcore::Checkpoint ModelArgs::open() const {
  std::optional<std::filesystem::path> tok;
  if (!tokenizer.empty()) tok = tokenizer;
  return quantcore::open_model_checkpoint(model, tok);
}

quantcore::quantize::OpenModel LoadedModel::open() && {
  return {std::make_shared<const quantcore::Checkpoint>(std::move(checkpoint)), lm,
          std::shared_ptr<const quantcore::Tokenizer>(std::move(tokenizer))};
}

LoadedModel ModelArgs::load(const DeviceArgs& device) const {
  LoadedModel m;
  m.checkpoint = open();
  m.tokenizer = open_tokenizer(m.checkpoint);
  m.lm = quantcore::load_causal_lm(m.checkpoint, device.compute);
  return m;
}

void DeviceArgs::add_to(CLI::App& sub) {
  sub.add_option("--device", compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--dtype", compute.dtype, "fp32, bf16 (cpu, cuda) or fp16 (cuda)")->capture_default_str();
  sub.add_option("--kernels", compute.kernels,
                 "dense: dequantised weights; packed: a packed checkpoint's linears compute from its packed bits")
      ->capture_default_str();
}

nlohmann::json DeviceArgs::json(const quantcore::CausalLM& model) const {
  nlohmann::json doc = {
      {"device", compute.device}, {"dtype", compute.dtype}, {"kernels", quantcore::kernels_of(model)}};
  if (const int bits = quantcore::input_bits_of(model); bits > 0) doc["input_bits"] = bits;
  return doc;
}

void OutputArgs::add_to(CLI::App& sub) {
  sub.add_flag("--json", json, "Print the result as JSON on stdout");
  sub.add_flag("-q,--quiet", quiet, "No progress bars");
}

void OutputArgs::emit(const nlohmann::json& doc) const {
  // A path that is not UTF-8 (POSIX allows any bytes) is shown with U+FFFD, not refused at the end.
  if (json) std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

std::unique_ptr<quantcore::Tokenizer> open_tokenizer(const quantcore::Checkpoint& checkpoint) {
  return quantcore::load_tokenizer(checkpoint.tokenizer_path);
}

quantcore::CancelToken& interrupt_token() {
  static quantcore::CancelToken token;
  return token;
}

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t stop_signal = 0;

// Async-signal-safe: sets the token's atomic flag and the signal's number; the running job stops
// at its next step and its temporaries are removed on the way out.
extern "C" void on_stop_signal(int signal) {
  stop_signal = signal;
  interrupt_token().request();
  // A second signal of any of the three ends the process at once; what it leaves behind is
  // unlocked, so the next run removes it (remove_abandoned_staging).
  for (int s : kStopSignals)
    if (std::signal(s, SIG_DFL) == SIG_IGN) std::signal(s, SIG_IGN);  // never installed: keep it ignored
}

}  // namespace

void install_interrupt_handler() {
  for (int s : kStopSignals) {
    // A signal the parent ignores stays ignored: `nohup` (SIGHUP), background jobs of scripts.
    struct sigaction old {};
    if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    std::signal(s, on_stop_signal);
  }
}

int interrupted_exit_status() { return 128 + (stop_signal != 0 ? int(stop_signal) : SIGINT); }

void report_restored_output(const std::optional<std::filesystem::path>& from, const std::string& out) {
  if (from)
    std::fprintf(stderr, "quantlens: restored %s from %s, where an interrupted run had moved it\n", out.c_str(),
                 from->string().c_str());
}

void report_removed_temporaries(const std::vector<std::filesystem::path>& removed) {
  for (const std::filesystem::path& p : removed)
    std::fprintf(stderr, "quantlens: removed %s, left by an interrupted run\n", p.string().c_str());
}

}  // namespace quantlens_cli
