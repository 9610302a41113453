#pragma once
// QUANTLENS_HD marks arithmetic written once for the CUDA kernels and the CPU implementations.
#if defined(__CUDACC__)
#define QUANTLENS_HD __host__ __device__ __forceinline__
#else
#define QUANTLENS_HD inline
#endif
