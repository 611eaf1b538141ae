// CQJLKernels: the inner loops of QJL scoring (arXiv 2406.03482, Algorithm 1 EstimateScores;
// theory.md §3.3) on packed sign bits. Thin C boundary; the Swift module QJL validates every
// argument before calling in. Layout: key i occupies words [i·wordsPerKey, (i+1)·wordsPerKey),
// bit r of a key is bit r mod 64 of word ⌊r/64⌋, padding bits are 0.
#ifndef CQJLKERNELS_H
#define CQJLKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU runs the AVX-512 (F, BW, VL, DQ, F16C) exact kernel, else 0.
int cqjl_exact_avx512_available(void);
/// 1 when this CPU runs the AVX-512 VNNI int8 kernel, else 0 (the portable kernel is used).
int cqjl_int8_avx512_available(void);

/// Exact scores, AVX-512 only (call only when cqjl_exact_avx512_available()):
///   S_i = Σ_{r: bit_{i,r} = 1} x_r      (16-lane masked sums, fixed reduction tree)
///   out[i] = (scale · norm_i) · ((S_i + S_i) − total)
/// `paddedQuery` holds 64·wordsPerKey floats (x_r, zeros for r ≥ m). Norms are binary16
/// patterns when normsAreHalf ≠ 0, else floats. Each key's result depends only on its own
/// bits (not on which keys share a block of 8).
void cqjl_exact_scores_avx512(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                              const float *paddedQuery, float total, float scale,
                              const void *norms, int normsAreHalf, float *out);

/// Exact scores from per-byte tables, portable C (any CPU):
///   S_i = T[0][byte_0(i)] + T[1][byte_1(i)] + … + T[B−1][byte_{B−1}(i)]   (float, in this order)
///   out[i] = (scale · norm_i) · ((S_i + S_i) − total)
/// `table` holds B·256 floats, T[b][v] = Σ_{j: bit j of v} x_{8b+j}, B = bytesPerKey = ⌈m/8⌉;
/// byte b of key i is bits 8(b mod 8) … 8(b mod 8) + 7 of word ⌊b/8⌋. The same operations in
/// the same order as QJL's Swift lookup-table path, so the results are bit-identical to it.
void cqjl_table_scores(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t bytesPerKey, ptrdiff_t count,
                       const float *table, float total, float scale,
                       const void *norms, int normsAreHalf, float *out);

/// Integer sums I_i = Σ_{r: bit_{i,r} = 1} q_r for int8 q (64·wordsPerKey entries, zero padded).
/// Exact in int32 for m·127 < 2³¹. AVX-512 VNNI when available, else portable byte tables
/// (`table` must hold wordsPerKey·8·256 int32 scratch entries); both give identical results.
void cqjl_int8_sums(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                    const int8_t *paddedQuery, int32_t *table, int32_t *out);

/// Approximate Float scores from int8 sums, fused with the sums:
///   J_i = 2·I_i − qTotal,   out[i] = (scale · norm_i) · (step · (float)J_i)
/// Bit-identical between the AVX-512 and the portable path (integer sums are exact and the
/// final products are evaluated in the same order). `table` as in cqjl_int8_sums.
void cqjl_int8_scores(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                      const int8_t *paddedQuery, int32_t qTotal, float step, float scale,
                      const void *norms, int normsAreHalf, int32_t *table, float *out);

/// The portable branch of cqjl_int8_scores, always (for tests of the dispatch).
void cqjl_int8_scores_portable(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                               const int8_t *paddedQuery, int32_t qTotal, float step, float scale,
                               const void *norms, int normsAreHalf, int32_t *table, float *out);

#endif
