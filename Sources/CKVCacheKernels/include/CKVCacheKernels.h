// CKVCacheKernels: the inner loop of attention decoding over group-quantized values
// (KIVI-style per-token groups, arXiv 2402.02750; the value half of the QJL cache,
// arXiv 2406.03482 §4). Thin C boundary; the Swift module JLKVCache validates every argument
// before calling in.
//
// Layout (JLKVCache.PackedCodes): token t's codes occupy words [t·wordsPerRow, (t+1)·wordsPerRow);
// code i is bits [i·b mod 32, i·b mod 32 + b) of word ⌊i·b/32⌋ (LSB first). Group γ of token t
// has its binary16 scale and minimum at index t·groups + γ.
#ifndef CKVCACHEKERNELS_H
#define CKVCACHEKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU runs the AVX-512 (F, VL, F16C) value kernel, else 0.
int ckv_values_avx512_available(void);

/// out[i] += w[t] · (code[t][i] · scale[t][γ(i)] + minimum[t][γ(i)])  for t = 0, 1, …, tokens − 1
/// in that order, γ(i) = ⌊i / groupSize⌋; each product and sum rounded to float in exactly this
/// order (no FMA), so the result equals the scalar formula bit for bit.
/// Requirements (checked by the caller): AVX-512 available; bits ∈ {1, 2, 4, 8};
/// d ≥ 16 and d % 16 == 0; groupSize % 16 == 0 and d % groupSize == 0.
/// Cost: O(tokens · d) with 16 channels per vector operation; reads tokens·(d·b/8 + 4·d/groupSize) bytes.
/// `scales` and `minimums` point to binary16 values (IEEE half bit patterns).
void ckv_accumulate_values_f32(const uint32_t *words, ptrdiff_t wordsPerRow, int bits,
                               const void *scales, const void *minimums, ptrdiff_t groupSize,
                               const float *weights, ptrdiff_t tokens, ptrdiff_t d, float *out);

#endif
