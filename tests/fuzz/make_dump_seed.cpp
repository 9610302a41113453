// make_dump_seed IN.h5 OUT.h5 [LINEARS]: a seed for fuzz_dump_reader made from a real dump (one
// that `quantlens dump` or `quantize --dump` wrote of a shared model, make_seeds.py): block 0 and
// its first LINEARS (default 2) linears, written again by the real writer, so the seed stays
// within the 64 KiB the seeds may take while keeping every dataset and attribute kind.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "analysis/dump_reader.h"
#include "analysis/dump_writer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: make_dump_seed IN.h5 OUT.h5 [LINEARS]\n");
    return 2;
  }
  try {
    const analysis::DumpReader in(argv[1]);
    analysis::DumpHeader header = in.header();
    const size_t keep = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
    if (header.linears.size() > keep) header.linears.resize(keep);
    header.num_layers = 1;
    analysis::DumpBlock block = in.read_block(0);
    if (block.linears.size() > keep) block.linears.resize(keep);
    analysis::DumpWriter out(argv[2]);
    out.write_block(block);
    out.write_header(header);
    out.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_dump_seed: %s\n", e.what());
    return 2;
  }
  return 0;
}
