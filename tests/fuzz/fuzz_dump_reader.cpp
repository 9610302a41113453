// An HDF5 analysis dump opened the way dump-info and the Studio open one: analysis::DumpReader,
// which reads and validates the whole file in a child process first (read_in_child.h), then every
// block read again in this process. The input is the .h5 file.
//
// libhdf5 is not ours and not instrumented; a corrupted file may still crash or hang it, in the
// child, where that must become a clean InputError. What the child died of is attributed: every
// forked child installs an AddressSanitizer report callback and a sanitizer death callback
// (pthread_atfork), which leave the report in the scratch folder. A report whose top frames lie
// in libhdf5 is counted as libhdf5's; a report in any other code, or a sanitizer death without an
// ASan report (UBSan), is a finding. The outcomes are counted and printed at exit
// (docs/reliability.md quotes them).
#include <fcntl.h>
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/dump_reader.h"
#include "fuzz_support.h"

namespace {

namespace fs = std::filesystem;

// Paths the child's callbacks write to, fixed before any fork (no allocation in a dying child).
std::array<char, 4096> report_path{}, death_path{};

void write_file(const char* path, const char* text, size_t size) {
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, text + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

void on_child_report(const char* report) { write_file(report_path.data(), report, std::strlen(report)); }
void on_child_death() { write_file(death_path.data(), "died\n", 5); }

void in_child() {
  __asan_set_error_report_callback(on_child_report);
  __sanitizer_set_death_callback(on_child_death);
}

struct Outcomes {
  uint64_t opened = 0, rejected = 0, checksum = 0, libhdf5_crash = 0, libhdf5_report = 0, timed_out = 0;
  ~Outcomes() {
    std::fprintf(stderr,
                 "fuzz_dump_reader outcomes: %llu opened, %llu refused by the checks (%llu of them by an HDF5 "
                 "checksum), %llu libhdf5 crashes in the child (%llu of them caught by AddressSanitizer in "
                 "libhdf5), %llu reads past the time limit; every refusal a clean InputError\n",
                 static_cast<unsigned long long>(opened), static_cast<unsigned long long>(rejected + checksum),
                 static_cast<unsigned long long>(checksum),
                 static_cast<unsigned long long>(libhdf5_crash + libhdf5_report),
                 static_cast<unsigned long long>(libhdf5_report), static_cast<unsigned long long>(timed_out));
  }
};
Outcomes outcomes;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

// Whether one of the top four frames (#0..#3) of the report's first stack, where the fault
// happened, lies in libhdf5 (its module, or its H5* functions when symbolised). The stacks that
// follow (where the memory was allocated or freed) do not count.
bool fault_in_libhdf5(const std::string& report) {
  std::istringstream lines(report);
  bool in_stack = false;
  for (std::string line; std::getline(lines, line);) {
    const size_t hash = line.find_first_not_of(' ');
    const bool frame = hash != std::string::npos && line.size() > hash + 2 && line[hash] == '#' &&
                       std::isdigit(static_cast<unsigned char>(line[hash + 1])) != 0;
    if (!frame) {
      if (in_stack) break;
      continue;
    }
    in_stack = true;
    if (line[hash + 1] <= '3' && line[hash + 2] == ' ' && (contains(line, "libhdf5") || contains(line, " in H5")))
      return true;
  }
  return false;
}

// After the reader refused the file: which of the outcomes it was, aborting on a finding.
void attribute(const std::string& message) {
  std::error_code ec;
  const bool died = fs::exists(death_path.data(), ec);
  const std::string report = fs::exists(report_path.data(), ec) ? read_all(report_path.data()) : "";
  fs::remove(death_path.data(), ec);
  fs::remove(report_path.data(), ec);
  if (!report.empty()) {
    if (!fault_in_libhdf5(report))
      quantlens_fuzz::broken("the reader's child hit a sanitizer report outside libhdf5:\n" + report);
    ++outcomes.libhdf5_report;
  } else if (died) {
    quantlens_fuzz::broken("the reader's child died of a sanitizer without an AddressSanitizer report (UBSan?): " +
                           message);
  } else if (contains(message, "the HDF5 library crashed") || contains(message, "the HDF5 library failed")) {
    ++outcomes.libhdf5_crash;
  } else if (contains(message, "did not finish within")) {
    ++outcomes.timed_out;
  } else if (contains(message, "checksum")) {
    ++outcomes.checksum;
  } else {
    ++outcomes.rejected;
  }
}

}  // namespace

// An abort or illegal instruction (an assert, std::terminate) gets a report too, so that it is
// attributed like a memory error instead of passing for a crash of the library.
extern "C" const char* __asan_default_options() { return "handle_abort=1:handle_sigill=1"; }

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const fs::path dir = quantlens_fuzz::scratch_dir();
  std::snprintf(report_path.data(), report_path.size(), "%s", (dir / "child-asan-report.txt").c_str());
  std::snprintf(death_path.data(), death_path.size(), "%s", (dir / "child-died").c_str());
  ::pthread_atfork(nullptr, nullptr, in_child);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const fs::path file = write_scratch("dump.h5", as_text(data, size));
  try {
    // A short limit: a hang is one of the outcomes, not worth the reader's default 30 s here.
    const analysis::DumpReader reader(file, std::chrono::milliseconds(3000));
    const analysis::DumpHeader& h = reader.header();
    for (int64_t b = 0; b < h.num_layers; ++b) {
      const analysis::DumpBlock block = reader.read_block(b);
      if (block.index != b || block.linears.size() != h.linears.size())
        broken("block " + std::to_string(b) + " does not match the header it was validated against");
      for (const analysis::DumpLinear& l : block.linears)
        if (static_cast<int64_t>(l.mask.size()) != l.in_features ||
            static_cast<int64_t>(l.mu.size()) != l.out_features ||
            static_cast<int64_t>(l.saliency_map.values.size()) != l.saliency_map.rows * l.saliency_map.cols)
          broken(l.name + ": a vector's length disagrees with the shape it was validated against");
    }
    ++outcomes.opened;
  } catch (const quantcore::InputError& e) {
    attribute(e.what());
  }
  return 0;
}
