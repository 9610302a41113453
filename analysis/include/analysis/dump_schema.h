#pragma once
// The layout of an analysis dump (docs/hdf5-dump.md), as data: the writer's output, the reader,
// the documentation table and the tests all answer to this one list. Torch- and HDF5-free.
#include <cstdint>
#include <string>
#include <vector>

namespace analysis {

inline constexpr const char* kDumpFormat = "quantlens-analysis-dump";
inline constexpr int64_t kDumpFormatVersion = 3;  // 3: the concentration attributes
// Cap on the salient-weight positions stored per linear (the top by |W| are kept).
inline constexpr int64_t kSalientWeightsCap = 65536;
// Saliency maps are max-pooled to at most this many rows and columns.
inline constexpr int64_t kSaliencyMapSide = 256;

// Where an entry lives. Block groups are named by their index in three digits ("000"); linear
// groups by the last component of the linear's short name ("q_proj" for "self_attn.q_proj").
enum class DumpLocation { Root, Block, Linear, SaliencyMap, SalientWeights, Loss };
enum class DumpKind { Attribute, Dataset };
// Element types as stored (little-endian); strings are UTF-8 (fixed-length; older dumps variable).
enum class DumpType { String, Int64, UInt64, UInt8, Int32, Float32, Float64 };
// Which dumps hold the entry: every dump, or only those of `quantlens quantize --dump`.
enum class DumpPresence { Always, Quantized };

struct DumpEntry {
  DumpLocation location;
  const char* name;
  DumpKind kind;
  DumpType type;
  const char* shape;  // "scalar" or symbolic dimensions such as "[m]", "[R, C]"
  DumpPresence presence;
  const char* meaning;
};

const std::vector<DumpEntry>& dump_schema();

// The spellings used in docs/hdf5-dump.md.
std::string location_pattern(DumpLocation location);  // "/", "/blocks/NNN", "/blocks/NNN/LINEAR", ...
std::string kind_name(DumpKind kind);                 // "attribute", "dataset"
std::string type_name(DumpType type);                 // "string", "int64", ...
std::string presence_name(DumpPresence presence);     // "always", "quantize"

// "/blocks/003/q_proj/saliency_map" -> SaliencyMap, ...; false for anything else.
bool location_of(const std::string& object_path, DumpLocation& location);

}  // namespace analysis
