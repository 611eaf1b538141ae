// CQJLKernels: see include/CQJLKernels.h. Only multiplications and additions in a fixed order;
// no FMA contraction, so results do not depend on the compiler's contraction choices.
#pragma clang fp contract(off)
#include "CQJLKernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define CQJL_X86 1
#else
#define CQJL_X86 0
#endif

int cqjl_exact_avx512_available(void) {
#if CQJL_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

int cqjl_int8_avx512_available(void) {
#if CQJL_X86
    return cqjl_exact_avx512_available() && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

/// IEEE binary16 → binary32 (exact), portable.
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        float value = (float)mantissa * 0x1p-24f;
        return sign ? -value : value;
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    }
    float out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

static float norm_at(const void *norms, int normsAreHalf, ptrdiff_t i) {
    return normsAreHalf ? half_to_float(((const uint16_t *)norms)[i]) : ((const float *)norms)[i];
}

// ---------------------------------------------------------------------------------------------
// Portable int8 path: byte tables T[b][v] = Σ_{j: bit j of v} q_{8b+j} (exact integers).

static void build_int8_tables(const int8_t *q, ptrdiff_t bytes, int32_t *table) {
    for (ptrdiff_t b = 0; b < bytes; b++) {
        int32_t *t = table + b * 256;
        t[0] = 0;
        for (int v = 1; v < 256; v++) t[v] = t[v & (v - 1)] + q[8 * b + __builtin_ctz((unsigned)v)];
    }
}

static int32_t int8_sum_portable(const uint64_t *key, ptrdiff_t wordsPerKey, const int32_t *table) {
    int32_t sum = 0;
    for (ptrdiff_t w = 0; w < wordsPerKey; w++) {
        uint64_t word = key[w];
        for (int j = 0; j < 8; j++) sum += table[(w * 8 + j) * 256 + (int)((word >> (8 * j)) & 0xFF)];
    }
    return sum;
}

// ---------------------------------------------------------------------------------------------
// Portable exact path: float byte tables, four keys in flight (independent sums, each key's
// bytes added in order b = 0, 1, …).

void cqjl_table_scores(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t bytesPerKey, ptrdiff_t count,
                       const float *table, float total, float scale,
                       const void *norms, int normsAreHalf, float *out) {
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const uint64_t *k0 = bits + i * wordsPerKey, *k1 = k0 + wordsPerKey, *k2 = k1 + wordsPerKey,
                       *k3 = k2 + wordsPerKey;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (ptrdiff_t b = 0; b < bytesPerKey; b++) {
            const float *t = table + b * 256;
            const ptrdiff_t w = b >> 3;
            const int shift = 8 * (int)(b & 7);
            s0 += t[(k0[w] >> shift) & 0xFF];
            s1 += t[(k1[w] >> shift) & 0xFF];
            s2 += t[(k2[w] >> shift) & 0xFF];
            s3 += t[(k3[w] >> shift) & 0xFF];
        }
        out[i] = (scale * norm_at(norms, normsAreHalf, i)) * ((s0 + s0) - total);
        out[i + 1] = (scale * norm_at(norms, normsAreHalf, i + 1)) * ((s1 + s1) - total);
        out[i + 2] = (scale * norm_at(norms, normsAreHalf, i + 2)) * ((s2 + s2) - total);
        out[i + 3] = (scale * norm_at(norms, normsAreHalf, i + 3)) * ((s3 + s3) - total);
    }
    for (; i < count; i++) {
        const uint64_t *k = bits + i * wordsPerKey;
        float sum = 0;
        for (ptrdiff_t b = 0; b < bytesPerKey; b++) sum += table[b * 256 + ((k[b >> 3] >> (8 * (b & 7))) & 0xFF)];
        out[i] = (scale * norm_at(norms, normsAreHalf, i)) * ((sum + sum) - total);
    }
}

#if CQJL_X86
#define CQJL_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c")))
#define CQJL_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,avx512vnni")))

/// Eight 16-lane float accumulators → the eight lane totals, each key by the same tree:
/// (lanes 4j..4j+3 of 128-bit block j) halves, quarters, then pairs within a block.
CQJL_AVX512 static inline __m256 reduce8_ps(__m512 a, __m512 b, __m512 c, __m512 d,
                                            __m512 e, __m512 f, __m512 g, __m512 h) {
#define CQJL_PAIR(x, y) _mm512_add_ps(_mm512_shuffle_f32x4(x, y, 0x44), _mm512_shuffle_f32x4(x, y, 0xEE))
#define CQJL_QUAD(x, y) _mm512_add_ps(_mm512_shuffle_f32x4(x, y, 0x88), _mm512_shuffle_f32x4(x, y, 0xDD))
    __m512 abcd = CQJL_QUAD(CQJL_PAIR(a, b), CQJL_PAIR(c, d));
    __m512 efgh = CQJL_QUAD(CQJL_PAIR(e, f), CQJL_PAIR(g, h));
    __m512 s = _mm512_add_ps(_mm512_unpacklo_ps(abcd, efgh), _mm512_unpackhi_ps(abcd, efgh));
    __m512 r = _mm512_add_ps(s, _mm512_permute_ps(s, 0x4E));
    __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castps512_ps256(_mm512_permutexvar_ps(order, r));
#undef CQJL_PAIR
#undef CQJL_QUAD
}

CQJL_AVX512 static inline __m256i reduce8_epi32(__m512i a, __m512i b, __m512i c, __m512i d,
                                                __m512i e, __m512i f, __m512i g, __m512i h) {
#define CQJL_PAIR(x, y) _mm512_add_epi32(_mm512_shuffle_i32x4(x, y, 0x44), _mm512_shuffle_i32x4(x, y, 0xEE))
#define CQJL_QUAD(x, y) _mm512_add_epi32(_mm512_shuffle_i32x4(x, y, 0x88), _mm512_shuffle_i32x4(x, y, 0xDD))
    __m512i abcd = CQJL_QUAD(CQJL_PAIR(a, b), CQJL_PAIR(c, d));
    __m512i efgh = CQJL_QUAD(CQJL_PAIR(e, f), CQJL_PAIR(g, h));
    __m512i s = _mm512_add_epi32(_mm512_unpacklo_epi32(abcd, efgh), _mm512_unpackhi_epi32(abcd, efgh));
    __m512i r = _mm512_add_epi32(s, _mm512_shuffle_epi32(s, (_MM_PERM_ENUM)0x4E));
    __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, r));
#undef CQJL_PAIR
#undef CQJL_QUAD
}

/// Σ_{bit = 1} x_r for 8 keys (k[j] → first word of key j); W words per key. Masks are loaded
/// as 16-bit pieces of the key's words (kmovw from memory; x86 is little-endian, so piece c
/// holds rows 16c..16c+15). The words are only read, never written, while aliased this way.
CQJL_AVX512 static inline __m256 exact_sums8(const uint64_t *const k[8], ptrdiff_t W, const float *x) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const uint16_t *h0 = (const uint16_t *)k[0], *h1 = (const uint16_t *)k[1], *h2 = (const uint16_t *)k[2],
        *h3 = (const uint16_t *)k[3], *h4 = (const uint16_t *)k[4], *h5 = (const uint16_t *)k[5],
        *h6 = (const uint16_t *)k[6], *h7 = (const uint16_t *)k[7];
    for (ptrdiff_t c = 0; c < 4 * W; c++) {
        __m512 xv = _mm512_loadu_ps(x + 16 * c);
        a0 = _mm512_mask_add_ps(a0, _load_mask16((__mmask16 *)(h0 + c)), a0, xv);
        a1 = _mm512_mask_add_ps(a1, _load_mask16((__mmask16 *)(h1 + c)), a1, xv);
        a2 = _mm512_mask_add_ps(a2, _load_mask16((__mmask16 *)(h2 + c)), a2, xv);
        a3 = _mm512_mask_add_ps(a3, _load_mask16((__mmask16 *)(h3 + c)), a3, xv);
        a4 = _mm512_mask_add_ps(a4, _load_mask16((__mmask16 *)(h4 + c)), a4, xv);
        a5 = _mm512_mask_add_ps(a5, _load_mask16((__mmask16 *)(h5 + c)), a5, xv);
        a6 = _mm512_mask_add_ps(a6, _load_mask16((__mmask16 *)(h6 + c)), a6, xv);
        a7 = _mm512_mask_add_ps(a7, _load_mask16((__mmask16 *)(h7 + c)), a7, xv);
    }
    return reduce8_ps(a0, a1, a2, a3, a4, a5, a6, a7);
}

CQJL_AVX512 static inline __m256 load_norms8(const void *norms, int normsAreHalf, ptrdiff_t i) {
    if (normsAreHalf) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)norms + i)));
    return _mm256_loadu_ps((const float *)norms + i);
}

/// The shared driver: full blocks of 8 keys read in place; the last partial block repeats its
/// last key (its results are discarded), so every key goes through the same code.
#define CQJL_BLOCKS(SUMS8, FINISH)                                                             \
    ptrdiff_t full = count / 8 * 8;                                                            \
    for (ptrdiff_t i = 0; i < full; i += 8) {                                                  \
        const uint64_t *k[8];                                                                  \
        for (int j = 0; j < 8; j++) k[j] = bits + (i + j) * wordsPerKey;                       \
        __m256 norm = load_norms8(norms, normsAreHalf, i);                                     \
        _mm256_storeu_ps(out + i, FINISH(SUMS8, norm));                                        \
    }                                                                                          \
    if (full < count) {                                                                        \
        const uint64_t *k[8];                                                                  \
        float normValues[8], results[8];                                                       \
        for (int j = 0; j < 8; j++) {                                                          \
            ptrdiff_t index = full + j < count ? full + j : count - 1;                          \
            k[j] = bits + index * wordsPerKey;                                                 \
            normValues[j] = norm_at(norms, normsAreHalf, index);                               \
        }                                                                                      \
        __m256 norm = _mm256_loadu_ps(normValues);                                             \
        _mm256_storeu_ps(results, FINISH(SUMS8, norm));                                        \
        for (ptrdiff_t j = 0; full + j < count; j++) out[full + j] = results[j];               \
    }

CQJL_AVX512 static inline __m256 exact_finish(__m256 sums, __m256 norm, float total, float scale) {
    __m256 centered = _mm256_sub_ps(_mm256_add_ps(sums, sums), _mm256_set1_ps(total));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(scale), norm), centered);
}

#define CQJL_EXACT_FINISH(S, N) exact_finish(S, N, total, scale)

CQJL_AVX512 static void exact_scores_w(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                                       const float *x, float total, float scale,
                                       const void *norms, int normsAreHalf, float *out) {
    // Specialized copies for common m let the compiler keep S·q in registers.
    switch (wordsPerKey) {
#define CQJL_CASE(WC) case WC: { CQJL_BLOCKS(exact_sums8(k, WC, x), CQJL_EXACT_FINISH) return; }
        CQJL_CASE(1) CQJL_CASE(2) CQJL_CASE(4)
#undef CQJL_CASE
    default: { CQJL_BLOCKS(exact_sums8(k, wordsPerKey, x), CQJL_EXACT_FINISH) return; }
    }
}

void cqjl_exact_scores_avx512(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                              const float *paddedQuery, float total, float scale,
                              const void *norms, int normsAreHalf, float *out) {
    exact_scores_w(bits, wordsPerKey, count, paddedQuery, total, scale, norms, normsAreHalf, out);
}

/// Σ_{bit = 1} q_r for 8 keys with VNNI: bits → 0/1 bytes (masked move), u8·s8 dot products.
CQJL_VNNI static inline __m256i int8_sums8(const uint64_t *const k[8], ptrdiff_t W, const int8_t *q) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const __m512i ones = _mm512_set1_epi8(1);
    for (ptrdiff_t w = 0; w < W; w++) {
        __m512i qv = _mm512_loadu_si512((const void *)(q + 64 * w));
        a0 = _mm512_dpbusd_epi32(a0, _mm512_maskz_mov_epi8(k[0][w], ones), qv);
        a1 = _mm512_dpbusd_epi32(a1, _mm512_maskz_mov_epi8(k[1][w], ones), qv);
        a2 = _mm512_dpbusd_epi32(a2, _mm512_maskz_mov_epi8(k[2][w], ones), qv);
        a3 = _mm512_dpbusd_epi32(a3, _mm512_maskz_mov_epi8(k[3][w], ones), qv);
        a4 = _mm512_dpbusd_epi32(a4, _mm512_maskz_mov_epi8(k[4][w], ones), qv);
        a5 = _mm512_dpbusd_epi32(a5, _mm512_maskz_mov_epi8(k[5][w], ones), qv);
        a6 = _mm512_dpbusd_epi32(a6, _mm512_maskz_mov_epi8(k[6][w], ones), qv);
        a7 = _mm512_dpbusd_epi32(a7, _mm512_maskz_mov_epi8(k[7][w], ones), qv);
    }
    return reduce8_epi32(a0, a1, a2, a3, a4, a5, a6, a7);
}

CQJL_VNNI static inline __m256 int8_finish(__m256i sums, __m256 norm, int32_t qTotal, float step, float scale) {
    __m256i centered = _mm256_sub_epi32(_mm256_add_epi32(sums, sums), _mm256_set1_epi32(qTotal));
    __m256 value = _mm256_mul_ps(_mm256_set1_ps(step), _mm256_cvtepi32_ps(centered));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(scale), norm), value);
}

#define CQJL_INT8_FINISH(S, N) int8_finish(S, N, qTotal, step, scale)

CQJL_VNNI static void int8_scores_avx512(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                                         const int8_t *q, int32_t qTotal, float step, float scale,
                                         const void *norms, int normsAreHalf, float *out) {
    switch (wordsPerKey) {
#define CQJL_CASE(WC) case WC: { CQJL_BLOCKS(int8_sums8(k, WC, q), CQJL_INT8_FINISH) return; }
        CQJL_CASE(1) CQJL_CASE(2) CQJL_CASE(4)
#undef CQJL_CASE
    default: { CQJL_BLOCKS(int8_sums8(k, wordsPerKey, q), CQJL_INT8_FINISH) return; }
    }
}

CQJL_VNNI static void int8_sums_avx512(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                                       const int8_t *q, int32_t *out) {
    for (ptrdiff_t i = 0; i < count; i += 8) {
        const uint64_t *k[8];
        for (int j = 0; j < 8; j++) k[j] = bits + (i + j < count ? i + j : count - 1) * wordsPerKey;
        int32_t results[8];
        _mm256_storeu_si256((__m256i *)results, int8_sums8(k, wordsPerKey, q));
        for (ptrdiff_t j = 0; j < 8 && i + j < count; j++) out[i + j] = results[j];
    }
}
#endif

void cqjl_int8_sums(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                    const int8_t *paddedQuery, int32_t *table, int32_t *out) {
#if CQJL_X86
    if (cqjl_int8_avx512_available()) { int8_sums_avx512(bits, wordsPerKey, count, paddedQuery, out); return; }
#endif
    build_int8_tables(paddedQuery, wordsPerKey * 8, table);
    for (ptrdiff_t i = 0; i < count; i++) out[i] = int8_sum_portable(bits + i * wordsPerKey, wordsPerKey, table);
}

void cqjl_int8_scores_portable(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                               const int8_t *paddedQuery, int32_t qTotal, float step, float scale,
                               const void *norms, int normsAreHalf, int32_t *table, float *out) {
    build_int8_tables(paddedQuery, wordsPerKey * 8, table);
    for (ptrdiff_t i = 0; i < count; i++) {
        int32_t sum = int8_sum_portable(bits + i * wordsPerKey, wordsPerKey, table);
        float value = step * (float)(2 * sum - qTotal);
        out[i] = (scale * norm_at(norms, normsAreHalf, i)) * value;
    }
}

void cqjl_int8_scores(const uint64_t *bits, ptrdiff_t wordsPerKey, ptrdiff_t count,
                      const int8_t *paddedQuery, int32_t qTotal, float step, float scale,
                      const void *norms, int normsAreHalf, int32_t *table, float *out) {
#if CQJL_X86
    if (cqjl_int8_avx512_available()) {
        int8_scores_avx512(bits, wordsPerKey, count, paddedQuery, qTotal, step, scale, norms, normsAreHalf, out);
        return;
    }
#endif
    cqjl_int8_scores_portable(bits, wordsPerKey, count, paddedQuery, qTotal, step, scale, norms, normsAreHalf,
                              table, out);
}
