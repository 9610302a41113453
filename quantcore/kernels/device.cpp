#include "quantcore/kernels/device.h"

namespace quantcore::kernels {

const char* device_name(Device device) { return device == Device::Cpu ? "cpu" : "cuda"; }

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "fp32";
    case DType::F16: return "fp16";
    case DType::BF16: return "bf16";
  }
  return "?";
}

}  // namespace quantcore::kernels
