/*
 * CJLKernels: AVX2 kernels behind JLLinearAlgebra's FWHT and JLRandom's Gaussian fill.
 *
 * Thin by design: plain pointers and integers in, nothing allocated, no state. The Swift
 * modules `internal import` this header, call jl_kernels_have_avx2() once, and otherwise run
 * their portable Swift paths, which compute bit-identical results (the Swift code is the
 * specification; Tests/JLRandomTests and Tests/JLLinearAlgebraTests compare both paths).
 * On non-x86 targets the AVX2 entry points are stubs and jl_kernels_have_avx2() returns 0.
 */
#ifndef CJLKERNELS_H
#define CJLKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU and OS support AVX2 and FMA (cpuid leaves 1 and 7, XCR0 YMM state), else 0.
int jl_kernels_have_avx2(void);

/// In-place unnormalized Sylvester-order FWHT, n a power of two with n >= 8 (Float) or
/// n >= 4 (Double). Call only when jl_kernels_have_avx2() returned 1.
void jl_fwht_f32_avx2(float *x, size_t n);
void jl_fwht_f64_avx2(double *x, size_t n);

/// Gaussian blocks firstBlock ..< firstBlock + blockCount of the Philox4x32-10 stream
/// (key k0, k1; stream number in counter words 2, 3), four N(0, 1) variates per block, by
/// RandomMaps.boxMuller (Sources/JLRandom/Samplers.swift). Writes 4 * blockCount values.
/// Call only when jl_kernels_have_avx2() returned 1.
void jl_philox_gaussian_f64_avx2(uint32_t k0, uint32_t k1, uint64_t streamNumber,
                                 uint64_t firstBlock, size_t blockCount, double *out);
void jl_philox_gaussian_f32_avx2(uint32_t k0, uint32_t k1, uint64_t streamNumber,
                                 uint64_t firstBlock, size_t blockCount, float *out);

#ifdef __cplusplus
}
#endif
#endif
