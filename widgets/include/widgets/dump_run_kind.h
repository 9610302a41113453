#pragma once
// Run kind "quantize-dump": a run read back from the HDF5 dump it made (`quantlens quantize
// --dump`, or the Studio's Export HDF5 dump): its settings, bits, and every step's losses.
// Built where HDF5 is.
#include "widgets/run_kinds.h"

namespace widgets {

RunKind dumpRunKind();

}  // namespace widgets
