// CKVCacheKernels: see include/CKVCacheKernels.h. Multiplications and additions only, in the
// scalar formula's order; FMA contraction is off so the compiler cannot fuse them.
#pragma clang fp contract(off)
#include "CKVCacheKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define CKV_X86 1
#else
#define CKV_X86 0
#endif

int ckv_values_avx512_available(void) {
#if CKV_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

#if CKV_X86
#define CKV_AVX512 __attribute__((target("avx512f,avx512vl,f16c")))

/// Channels per register block: 8 accumulators of 16 lanes stay in registers across tokens.
enum { CKV_BLOCK = 128, CKV_CHUNKS = CKV_BLOCK / 16 };

#define CKV_INLINE static inline __attribute__((always_inline)) CKV_AVX512

/// Lane j of a 16-channel chunk that starts at bit `startBit` of the words loaded for it:
/// the loaded word holding its code (0…3) and the shift of the code in that word.
CKV_INLINE void lane_positions(int bits, int startBit, __m512i *word, __m512i *shift) {
    int w[16], s[16];
    for (int j = 0; j < 16; j++) {
        int bit = startBit + j * bits;
        w[j] = bit / 32;
        s[j] = bit % 32;
    }
    *word = _mm512_loadu_si512((const void *)w);
    *shift = _mm512_loadu_si512((const void *)s);
}

/// The codes of chunk c (channels 16c … 16c + 15) of one row, shifted so that each lane's code
/// is in its low `bits` bits (higher bits: neighbouring codes, not yet masked). b ≤ 2 reads one
/// word (broadcast); b ≥ 4 reads the b/2 words of the chunk (masked load: never past them).
CKV_INLINE __m512i chunk_shifted(const uint32_t *row, ptrdiff_t c, int bits, __m512i word, __m512i shift) {
    if (bits <= 2) {
        __m512i v = _mm512_set1_epi32((int)row[c * bits / 2]);
        return _mm512_srlv_epi32(v, shift);
    }
    __m128i raw = _mm_maskz_loadu_epi32((__mmask8)((1u << (bits / 2)) - 1), row + c * bits / 2);
    return _mm512_srlv_epi32(_mm512_permutexvar_epi32(word, _mm512_castsi128_si512(raw)), shift);
}

/// One register block of channels [16·c0, 16·(c0 + CHUNKS)) over all tokens, for a fixed width
/// b and chunk count (constants after inlining, so the accumulators live in registers).
/// x = code·scale + minimum (float mul, then add) is taken, for b ≤ 4, from a table of the 2^b
/// values of the chunk's group, replicated so vpermps can index it with the code's low 4 bits;
/// for b = 8 the code is converted to float. Then out += w·x (mul, then add).
CKV_INLINE void accumulate_block(const uint32_t *words, ptrdiff_t wordsPerRow, const int bits,
                                 const uint16_t *scales, const uint16_t *minimums, ptrdiff_t groupSize,
                                 ptrdiff_t groups, const float *weights, ptrdiff_t tokens, ptrdiff_t c0,
                                 const int CHUNKS, float *out) {
    __m512i wordEven, shiftEven, wordOdd, shiftOdd;
    lane_positions(bits, 0, &wordEven, &shiftEven);
    lane_positions(bits, 16, &wordOdd, &shiftOdd);  // b = 1: odd chunks use the upper half-word
    // Lane j of the table holds code j mod 2^b (b ≤ 4): vpermps reads index bits 0–3 only.
    int laneCodes[16];
    for (int j = 0; j < 16; j++) laneCodes[j] = bits <= 4 ? j % (1 << bits) : j;
    const __m512 tableCodes = _mm512_cvtepi32_ps(_mm512_loadu_si512((const void *)laneCodes));
    const __m512i mask = _mm512_set1_epi32((1 << bits) - 1);
    ptrdiff_t groupOf[CKV_CHUNKS];
    for (int k = 0; k < CHUNKS; k++) groupOf[k] = 16 * (c0 + k) / groupSize;
    __m512 acc[CKV_CHUNKS];
    for (int k = 0; k < CHUNKS; k++) acc[k] = _mm512_loadu_ps(out + 16 * (c0 + k));
    for (ptrdiff_t t = 0; t < tokens; t++) {
        const uint32_t *row = words + t * wordsPerRow;
        const uint16_t *scale = scales + t * groups, *minimum = minimums + t * groups;
        const __m512 w = _mm512_set1_ps(weights[t]);
        __m512 table = _mm512_setzero_ps(), scaleV = table, minimumV = table;
        for (int k = 0; k < CHUNKS; k++) {
            const ptrdiff_t c = c0 + k;
            if (k == 0 || groupOf[k] != groupOf[k - 1]) {
                scaleV = _mm512_set1_ps(_cvtsh_ss(scale[groupOf[k]]));
                minimumV = _mm512_set1_ps(_cvtsh_ss(minimum[groupOf[k]]));
                if (bits <= 4) table = _mm512_add_ps(_mm512_mul_ps(tableCodes, scaleV), minimumV);
            }
            const int odd = bits == 1 && (c & 1);
            __m512i codes = chunk_shifted(row, c, bits, odd ? wordOdd : wordEven, odd ? shiftOdd : shiftEven);
            __m512 x;
            if (bits <= 4) {
                x = _mm512_permutexvar_ps(codes, table);
            } else {
                x = _mm512_cvtepi32_ps(_mm512_and_si512(codes, mask));
                x = _mm512_add_ps(_mm512_mul_ps(x, scaleV), minimumV);
            }
            acc[k] = _mm512_add_ps(acc[k], _mm512_mul_ps(w, x));
        }
    }
    for (int k = 0; k < CHUNKS; k++) _mm512_storeu_ps(out + 16 * (c0 + k), acc[k]);
}

/// accumulate_block for one width b: full blocks of 8 chunks, then the remaining chunks.
#define CKV_WIDTH(B)                                                                                     \
    CKV_AVX512 static void accumulate_b##B(const uint32_t *words, ptrdiff_t wordsPerRow,                 \
                                           const uint16_t *scales, const uint16_t *minimums,             \
                                           ptrdiff_t groupSize, const float *weights, ptrdiff_t tokens,  \
                                           ptrdiff_t d, float *out) {                                    \
        const ptrdiff_t groups = d / groupSize, chunks = d / 16;                                         \
        ptrdiff_t c0 = 0;                                                                                \
        for (; c0 + CKV_CHUNKS <= chunks; c0 += CKV_CHUNKS)                                              \
            accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,        \
                             tokens, c0, CKV_CHUNKS, out);                                               \
        switch (chunks - c0) {                                                                           \
        case 1: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 1, out); break;                                             \
        case 2: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 2, out); break;                                             \
        case 3: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 3, out); break;                                             \
        case 4: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 4, out); break;                                             \
        case 5: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 5, out); break;                                             \
        case 6: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 6, out); break;                                             \
        case 7: accumulate_block(words, wordsPerRow, B, scales, minimums, groupSize, groups, weights,    \
                                 tokens, c0, 7, out); break;                                             \
        default: break;                                                                                  \
        }                                                                                                \
    }
CKV_WIDTH(1)
CKV_WIDTH(2)
CKV_WIDTH(4)
CKV_WIDTH(8)
#undef CKV_WIDTH

CKV_AVX512 static void accumulate_avx512(const uint32_t *words, ptrdiff_t wordsPerRow, int bits,
                                         const uint16_t *scales, const uint16_t *minimums, ptrdiff_t groupSize,
                                         const float *weights, ptrdiff_t tokens, ptrdiff_t d, float *out) {
    switch (bits) {
    case 1: accumulate_b1(words, wordsPerRow, scales, minimums, groupSize, weights, tokens, d, out); break;
    case 2: accumulate_b2(words, wordsPerRow, scales, minimums, groupSize, weights, tokens, d, out); break;
    case 4: accumulate_b4(words, wordsPerRow, scales, minimums, groupSize, weights, tokens, d, out); break;
    case 8: accumulate_b8(words, wordsPerRow, scales, minimums, groupSize, weights, tokens, d, out); break;
    default: break;
    }
}
#endif

void ckv_accumulate_values_f32(const uint32_t *words, ptrdiff_t wordsPerRow, int bits,
                               const void *scales, const void *minimums, ptrdiff_t groupSize,
                               const float *weights, ptrdiff_t tokens, ptrdiff_t d, float *out) {
#if CKV_X86
    accumulate_avx512(words, wordsPerRow, bits, (const uint16_t *)scales, (const uint16_t *)minimums, groupSize,
                      weights, tokens, d, out);
#else
    (void)words; (void)wordsPerRow; (void)bits; (void)scales; (void)minimums; (void)groupSize;
    (void)weights; (void)tokens; (void)d; (void)out;
#endif
}
