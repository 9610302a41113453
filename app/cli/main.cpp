// quantlens: the command-line toolkit. Results go to stdout (JSON with --json), progress and
// errors to stderr. Bad input: one line naming the file and the problem, exit 2.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "command_support.h"
#include "commands.h"
#include "quantcore/io/errors.h"

namespace {
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }
}  // namespace

int main(int argc, char** argv) {
  using namespace quantlens_cli;
  CLI::App app{"QuantLens: extremely low-bit post-training quantization of LLMs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "quantlens 0.1.0");
  std::vector<Action> actions(commands().size());
  std::vector<CLI::App*> subs;
  for (size_t i = 0; i < commands().size(); ++i) {
    CLI::App* sub = app.add_subcommand(commands()[i].name, commands()[i].summary);
    commands()[i].define(*sub, actions[i]);
    subs.push_back(sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "quantlens: error: %s (see --help)\n", first_line(e.what()).c_str());
    return 2;
  }

  // Forward passes allocate and free many large activation buffers; glibc would hand each back
  // to the kernel (mmap/munmap) and pay page faults again on the next window (~15 % of eval time).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  install_interrupt_handler();
  try {
    for (size_t i = 0; i < subs.size(); ++i)
      if (subs[i]->parsed()) return actions[i]();
  } catch (const quantcore::InputError& e) {
    std::fprintf(stderr, "quantlens: error: %s\n", first_line(e.what()).c_str());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {  // a path the system refuses (too long, ...)
    std::fprintf(stderr, "quantlens: error: %s: %s\n", e.path1().string().c_str(), e.code().message().c_str());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "quantlens: error: out of memory (a smaller --nsamples, --seqlen or model?)\n");
    return 2;
  } catch (const quantcore::Cancelled&) {
    std::fprintf(stderr, "\nquantlens: cancelled\n");
    return interrupted_exit_status();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quantlens: error: %s\n", first_line(e.what()).c_str());
    return 1;
  }
  return 1;
}
