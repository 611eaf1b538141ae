/*
 * AVX2 kernels for JLSketch (see include/CJLKernels.h). Every function here computes exactly
 * what its Swift counterpart computes, operation for operation:
 *
 *  - FWHT: each butterfly is (a + b, a - b) on the previous stage's outputs, the same as the
 *    radix-2 loop in WalshHadamard.swift; stages are only fused (kept in registers), never
 *    reordered. The in-register stages use fma(v, ±1, partner), which is exact: v·(±1) is
 *    exact, so the single rounding equals that of partner ± v.
 *  - Gaussians: Philox4x32-10 on 8 counters at once (32×32→64 products with
 *    _mm256_mul_epu32), then the polynomial Box–Muller map of RandomMaps.boxMuller with the
 *    same operations in the same order, no FMA (the Gaussian code is compiled for "avx2"
 *    only, and contraction is off), so every result is the correctly rounded value of the
 *    same sequence of IEEE double operations.
 */
#pragma STDC FP_CONTRACT OFF
#include "CJLKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

int jl_kernels_have_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!(osxsave && avx && fma)) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6) != 6) return 0; /* XMM and YMM state saved by the OS */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (int)((b >> 5) & 1);
}

#define AVX2_FMA __attribute__((target("avx2,fma")))
#define AVX2_ONLY __attribute__((target("avx2")))
#define INLINE static inline __attribute__((always_inline))

/* ------------------------------------------------------------------ FWHT, Float */

/* Stages of half-length 1, 2, 4 inside one 8-lane register. */
AVX2_FMA INLINE __m256 fwht_lanes_f32(__m256 v) {
    const __m256 s1 = _mm256_setr_ps(1, -1, 1, -1, 1, -1, 1, -1);
    const __m256 s2 = _mm256_setr_ps(1, 1, -1, -1, 1, 1, -1, -1);
    const __m256 s4 = _mm256_setr_ps(1, 1, 1, 1, -1, -1, -1, -1);
    v = _mm256_fmadd_ps(v, s1, _mm256_permute_ps(v, 0xB1));
    v = _mm256_fmadd_ps(v, s2, _mm256_permute_ps(v, 0x4E));
    v = _mm256_fmadd_ps(v, s4, _mm256_permute2f128_ps(v, v, 0x01));
    return v;
}

/* All stages of a block of R registers (8R floats, R <= 16) held in registers. */
AVX2_FMA INLINE void fwht_block_f32(float *p, const int R) {
    __m256 r[16];
    _Pragma("unroll")
    for (int i = 0; i < R; i++) r[i] = fwht_lanes_f32(_mm256_loadu_ps(p + 8 * i));
    _Pragma("unroll")
    for (int h = 1; h < R; h *= 2)
        _Pragma("unroll")
        for (int i = 0; i < R; i++)
            if (!(i & h)) {
                const __m256 a = r[i], b = r[i + h];
                r[i] = _mm256_add_ps(a, b);
                r[i + h] = _mm256_sub_ps(a, b);
            }
    _Pragma("unroll")
    for (int i = 0; i < R; i++) _mm256_storeu_ps(p + 8 * i, r[i]);
}

/* Stages of half-length h, 2h, ..., (2^L/2)h (L = 1, 2 or 3) on columns of 8 floats. */
AVX2_FMA INLINE void fwht_columns_f32(float *x, size_t n, size_t h, const int L) {
    const size_t span = h << L;
    const int R = 1 << L;
    for (size_t start = 0; start < n; start += span)
        for (size_t i = start; i < start + h; i += 8) {
            __m256 r[8];
            _Pragma("unroll")
            for (int j = 0; j < R; j++) r[j] = _mm256_loadu_ps(x + i + j * h);
            _Pragma("unroll")
            for (int s = 1; s < R; s *= 2)
                _Pragma("unroll")
                for (int j = 0; j < R; j++)
                    if (!(j & s)) {
                        const __m256 a = r[j], b = r[j + s];
                        r[j] = _mm256_add_ps(a, b);
                        r[j + s] = _mm256_sub_ps(a, b);
                    }
            _Pragma("unroll")
            for (int j = 0; j < R; j++) _mm256_storeu_ps(x + i + j * h, r[j]);
        }
}

AVX2_FMA void jl_fwht_f32_avx2(float *x, size_t n) {
    size_t block = n < 128 ? n : 128;
    switch (block) {
    case 8: fwht_block_f32(x, 1); break;
    case 16: fwht_block_f32(x, 2); break;
    case 32: fwht_block_f32(x, 4); break;
    case 64: fwht_block_f32(x, 8); break;
    default:
        for (size_t start = 0; start < n; start += 128) fwht_block_f32(x + start, 16);
    }
    size_t h = block;
    while (8 * h <= n) { fwht_columns_f32(x, n, h, 3); h *= 8; }
    if (4 * h <= n) { fwht_columns_f32(x, n, h, 2); h *= 4; }
    if (2 * h <= n) { fwht_columns_f32(x, n, h, 1); }
}

/* ------------------------------------------------------------------ FWHT, Double */

/* Stages of half-length 1, 2 inside one 4-lane register. */
AVX2_FMA INLINE __m256d fwht_lanes_f64(__m256d v) {
    const __m256d s1 = _mm256_setr_pd(1, -1, 1, -1);
    const __m256d s2 = _mm256_setr_pd(1, 1, -1, -1);
    v = _mm256_fmadd_pd(v, s1, _mm256_permute_pd(v, 0x5));
    v = _mm256_fmadd_pd(v, s2, _mm256_permute2f128_pd(v, v, 0x01));
    return v;
}

AVX2_FMA INLINE void fwht_block_f64(double *p, const int R) {
    __m256d r[16];
    _Pragma("unroll")
    for (int i = 0; i < R; i++) r[i] = fwht_lanes_f64(_mm256_loadu_pd(p + 4 * i));
    _Pragma("unroll")
    for (int h = 1; h < R; h *= 2)
        _Pragma("unroll")
        for (int i = 0; i < R; i++)
            if (!(i & h)) {
                const __m256d a = r[i], b = r[i + h];
                r[i] = _mm256_add_pd(a, b);
                r[i + h] = _mm256_sub_pd(a, b);
            }
    _Pragma("unroll")
    for (int i = 0; i < R; i++) _mm256_storeu_pd(p + 4 * i, r[i]);
}

AVX2_FMA INLINE void fwht_columns_f64(double *x, size_t n, size_t h, const int L) {
    const size_t span = h << L;
    const int R = 1 << L;
    for (size_t start = 0; start < n; start += span)
        for (size_t i = start; i < start + h; i += 4) {
            __m256d r[8];
            _Pragma("unroll")
            for (int j = 0; j < R; j++) r[j] = _mm256_loadu_pd(x + i + j * h);
            _Pragma("unroll")
            for (int s = 1; s < R; s *= 2)
                _Pragma("unroll")
                for (int j = 0; j < R; j++)
                    if (!(j & s)) {
                        const __m256d a = r[j], b = r[j + s];
                        r[j] = _mm256_add_pd(a, b);
                        r[j + s] = _mm256_sub_pd(a, b);
                    }
            _Pragma("unroll")
            for (int j = 0; j < R; j++) _mm256_storeu_pd(x + i + j * h, r[j]);
        }
}

AVX2_FMA void jl_fwht_f64_avx2(double *x, size_t n) {
    size_t block = n < 32 ? n : 32;
    switch (block) {
    case 4: fwht_block_f64(x, 1); break;
    case 8: fwht_block_f64(x, 2); break;
    case 16: fwht_block_f64(x, 4); break;
    default:
        for (size_t start = 0; start < n; start += 32) fwht_block_f64(x + start, 8);
    }
    size_t h = block;
    while (8 * h <= n) { fwht_columns_f64(x, n, h, 3); h *= 8; }
    if (4 * h <= n) { fwht_columns_f64(x, n, h, 2); h *= 4; }
    if (2 * h <= n) { fwht_columns_f64(x, n, h, 1); }
}

/* ------------------------------------------------------------------ Philox4x32-10, 8 lanes */

/* hi and lo words of the eight 32×32→64 products a[j]·m. */
AVX2_ONLY INLINE void mulhilo8(__m256i a, __m256i m, __m256i *hi, __m256i *lo) {
    const __m256i even = _mm256_mul_epu32(a, m);                        /* lanes 0,2,4,6 */
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);  /* lanes 1,3,5,7 */
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/* Blocks b0 ... b0+7: the four output words, lane j = block b0 + j. */
AVX2_ONLY INLINE void philox8(uint32_t k0, uint32_t k1, uint64_t streamNumber, uint64_t b0,
                              __m256i out[4]) {
    uint32_t lo[8], hi[8];
    _Pragma("unroll")
    for (int j = 0; j < 8; j++) {
        const uint64_t b = b0 + (uint64_t)j;
        lo[j] = (uint32_t)b;
        hi[j] = (uint32_t)(b >> 32);
    }
    __m256i c0 = _mm256_loadu_si256((const __m256i *)lo), c1 = _mm256_loadu_si256((const __m256i *)hi);
    __m256i c2 = _mm256_set1_epi32((int)(uint32_t)streamNumber);
    __m256i c3 = _mm256_set1_epi32((int)(uint32_t)(streamNumber >> 32));
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    _Pragma("unroll")
    for (int round = 0; round < 10; round++) {
        const __m256i key0 = _mm256_set1_epi32((int)(k0 + (uint32_t)round * 0x9E3779B9u));
        const __m256i key1 = _mm256_set1_epi32((int)(k1 + (uint32_t)round * 0xBB67AE85u));
        __m256i hi0, lo0, hi1, lo1;
        mulhilo8(c0, m0, &hi0, &lo0);
        mulhilo8(c2, m1, &hi1, &lo1);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), key0);
        c1 = lo1;
        c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), key1);
        c3 = lo0;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* ------------------------------------------------------------------ Box–Muller, 4 lanes */

/* Coefficients of RandomMaps (Samplers.swift): 1/(2k+1) for atanh, ±1/n! for sin and cos. */
#define SQRT2 1.4142135623730951
#define LN2 0.6931471805599453
#define QUARTER_PI 0.7853981633974483

/* r = √(−2 ln u), u = (w + ½)·2⁻³², for four words. */
AVX2_ONLY INLINE __m256d bm_radius(__m128i w) {
    const __m256d t = _mm256_add_pd(
        _mm256_cvtepi32_pd(_mm_xor_si128(w, _mm_set1_epi32((int)0x80000000u))),
        _mm256_set1_pd(2147483648.5));                            /* w + ½, exact */
    const __m256d u = _mm256_mul_pd(t, _mm256_set1_pd(0x1p-32)); /* exact */
    const __m256i bits = _mm256_castpd_si256(u);
    const __m256i e = _mm256_srli_epi64(bits, 52);
    const __m256d ed = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(e, _mm256_set1_epi64x(0x4330000000000000LL))),
        _mm256_set1_pd(0x1p52));                                  /* biased exponent, exact */
    __m256d m = _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)),
        _mm256_set1_epi64x(0x3FF0000000000000LL)));               /* significand in [1, 2) */
    const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(SQRT2), _CMP_GT_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    const __m256d k = _mm256_add_pd(_mm256_sub_pd(ed, _mm256_set1_pd(1023.0)),
                                    _mm256_and_pd(big, _mm256_set1_pd(1.0)));
    const __m256d f = _mm256_sub_pd(m, _mm256_set1_pd(1.0));
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    const __m256d z = _mm256_mul_pd(s, s);
    __m256d q = _mm256_set1_pd(1.0 / 23.0);
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 21.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 19.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 17.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 15.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 13.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 11.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 9.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 7.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 5.0));
    q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(1.0 / 3.0));
    const __m256d s2 = _mm256_add_pd(s, s);
    const __m256d lnm = _mm256_add_pd(s2, _mm256_mul_pd(s2, _mm256_mul_pd(z, q)));
    const __m256d lnu = _mm256_add_pd(_mm256_mul_pd(k, _mm256_set1_pd(LN2)), lnm);
    return _mm256_sqrt_pd(_mm256_mul_pd(lnu, _mm256_set1_pd(-2.0)));
}

/* (cos 2πu, sin 2πu), u = (w + ½)·2⁻³², for four words, by octant reduction. */
AVX2_ONLY INLINE void bm_angle(__m128i w, __m256d *cosine, __m256d *sine) {
    const __m128i low29 = _mm_set1_epi32(0x1FFFFFFF);
    const __m128i octant = _mm_srli_epi32(w, 29);
    const __m128i odd = _mm_sub_epi32(_mm_setzero_si128(), _mm_and_si128(octant, _mm_set1_epi32(1)));
    const __m128i rb = _mm_xor_si128(_mm_and_si128(w, low29), _mm_and_si128(odd, low29));
    const __m256d x = _mm256_mul_pd(
        _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(rb), _mm256_set1_pd(0.5)), _mm256_set1_pd(0x1p-29)),
        _mm256_set1_pd(QUARTER_PI));
    const __m256d x2 = _mm256_mul_pd(x, x);
    __m256d sp = _mm256_set1_pd(1.0 / 355687428096000.0);                          /* 1/17! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(-1.0 / 1307674368000.0)); /* 15! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(1.0 / 6227020800.0));     /* 13! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(-1.0 / 39916800.0));       /* 11! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(1.0 / 362880.0));          /* 9! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(-1.0 / 5040.0));           /* 7! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(1.0 / 120.0));             /* 5! */
    sp = _mm256_add_pd(_mm256_mul_pd(sp, x2), _mm256_set1_pd(-1.0 / 6.0));              /* 3! */
    const __m256d sinx = _mm256_add_pd(x, _mm256_mul_pd(x, _mm256_mul_pd(x2, sp)));
    __m256d cp = _mm256_set1_pd(1.0 / 20922789888000.0);                           /* 1/16! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(-1.0 / 87178291200.0));    /* 14! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(1.0 / 479001600.0));       /* 12! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(-1.0 / 3628800.0));        /* 10! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(1.0 / 40320.0));           /* 8! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(-1.0 / 720.0));            /* 6! */
    cp = _mm256_add_pd(_mm256_mul_pd(cp, x2), _mm256_set1_pd(1.0 / 24.0));              /* 4! */
    const __m256d cosx = _mm256_add_pd(
        _mm256_set1_pd(1.0), _mm256_mul_pd(x2, _mm256_add_pd(_mm256_mul_pd(x2, cp), _mm256_set1_pd(-0.5))));
    /* swap for octants 1, 2, 5, 6; cos < 0 for 2..5; sin < 0 for 4..7 */
    const __m128i one = _mm_set1_epi32(1);
    const __m256i swap = _mm256_cvtepi32_epi64(_mm_sub_epi32(_mm_setzero_si128(),
        _mm_and_si128(_mm_srli_epi32(_mm_add_epi32(octant, one), 1), one)));
    const __m256i cosSign = _mm256_slli_epi64(_mm256_cvtepi32_epi64(
        _mm_and_si128(_mm_srli_epi32(_mm_add_epi32(octant, _mm_set1_epi32(2)), 2), one)), 63);
    const __m256i sinSign = _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm_srli_epi32(octant, 2)), 63);
    const __m256d swapMask = _mm256_castsi256_pd(swap);
    const __m256d c = _mm256_blendv_pd(cosx, sinx, swapMask);
    const __m256d s = _mm256_blendv_pd(sinx, cosx, swapMask);
    *cosine = _mm256_xor_pd(c, _mm256_castsi256_pd(cosSign));
    *sine = _mm256_xor_pd(s, _mm256_castsi256_pd(sinSign));
}

/* The 16 normals of four blocks whose words are w0..w3 (lane j = block j), block-major. */
AVX2_ONLY INLINE void bm_four_blocks(__m128i w0, __m128i w1, __m128i w2, __m128i w3,
                                     __m256d z[4]) {
    __m256d cA, sA, cB, sB;
    const __m256d rA = bm_radius(w0), rB = bm_radius(w2);
    bm_angle(w1, &cA, &sA);
    bm_angle(w3, &cB, &sB);
    z[0] = _mm256_mul_pd(rA, cA);
    z[1] = _mm256_mul_pd(rA, sA);
    z[2] = _mm256_mul_pd(rB, cB);
    z[3] = _mm256_mul_pd(rB, sB);
}

AVX2_ONLY INLINE void store_blocks_f64(const __m256d z[4], double *out) {
    const __m256d t0 = _mm256_unpacklo_pd(z[0], z[1]), t1 = _mm256_unpackhi_pd(z[0], z[1]);
    const __m256d t2 = _mm256_unpacklo_pd(z[2], z[3]), t3 = _mm256_unpackhi_pd(z[2], z[3]);
    _mm256_storeu_pd(out, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm256_storeu_pd(out + 8, _mm256_permute2f128_pd(t0, t2, 0x31));
    _mm256_storeu_pd(out + 12, _mm256_permute2f128_pd(t1, t3, 0x31));
}

AVX2_ONLY INLINE void store_blocks_f32(const __m256d z[4], float *out) {
    __m128 a = _mm256_cvtpd_ps(z[0]), b = _mm256_cvtpd_ps(z[1]);
    __m128 c = _mm256_cvtpd_ps(z[2]), d = _mm256_cvtpd_ps(z[3]);
    _MM_TRANSPOSE4_PS(a, b, c, d);
    _mm_storeu_ps(out, a);
    _mm_storeu_ps(out + 4, b);
    _mm_storeu_ps(out + 8, c);
    _mm_storeu_ps(out + 12, d);
}

#define GAUSSIAN_KERNEL(NAME, TYPE, STORE)                                                        \
    AVX2_ONLY void NAME(uint32_t k0, uint32_t k1, uint64_t streamNumber, uint64_t firstBlock,   \
                        size_t blockCount, TYPE *out) {                                          \
        size_t done = 0;                                                                         \
        while (done < blockCount) {                                                              \
            __m256i words[4];                                                                    \
            __m256d z[4];                                                                        \
            philox8(k0, k1, streamNumber, firstBlock + (uint64_t)done, words);                   \
            TYPE group[32];                                                                      \
            TYPE *dst = blockCount - done >= 8 ? out + 4 * done : group;                         \
            bm_four_blocks(_mm256_castsi256_si128(words[0]), _mm256_castsi256_si128(words[1]),   \
                           _mm256_castsi256_si128(words[2]), _mm256_castsi256_si128(words[3]), z); \
            STORE(z, dst);                                                                       \
            bm_four_blocks(_mm256_extracti128_si256(words[0], 1), _mm256_extracti128_si256(words[1], 1), \
                           _mm256_extracti128_si256(words[2], 1), _mm256_extracti128_si256(words[3], 1), z); \
            STORE(z, dst + 16);                                                                  \
            if (dst == group) {                                                                  \
                memcpy(out + 4 * done, group, 4 * (blockCount - done) * sizeof(TYPE));           \
                break;                                                                           \
            }                                                                                    \
            done += 8;                                                                           \
        }                                                                                        \
    }

GAUSSIAN_KERNEL(jl_philox_gaussian_f64_avx2, double, store_blocks_f64)
GAUSSIAN_KERNEL(jl_philox_gaussian_f32_avx2, float, store_blocks_f32)

#else /* not x86-64: no AVX2; the Swift paths run. */

int jl_kernels_have_avx2(void) { return 0; }
void jl_fwht_f32_avx2(float *x, size_t n) { (void)x; (void)n; }
void jl_fwht_f64_avx2(double *x, size_t n) { (void)x; (void)n; }
void jl_philox_gaussian_f64_avx2(uint32_t k0, uint32_t k1, uint64_t s, uint64_t b, size_t c, double *o) {
    (void)k0; (void)k1; (void)s; (void)b; (void)c; (void)o;
}
void jl_philox_gaussian_f32_avx2(uint32_t k0, uint32_t k1, uint64_t s, uint64_t b, size_t c, float *o) {
    (void)k0; (void)k1; (void)s; (void)b; (void)c; (void)o;
}

#endif
