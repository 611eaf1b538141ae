/*
 * Reference FWHT (unnormalized, Sylvester order, in place) hand-written with AVX2/FMA
 * intrinsics, and a tiny driver that times it. This is the C yardstick for the Swift
 * WalshHadamard.transformUnchecked benchmark (docs/performance.md).
 *
 *   H_1 = [1],  H_{2n} = [[H_n, H_n], [H_n, -H_n]],  y = H_n x   (n log2 n additions)
 *
 * Build and run (one core):
 *   cc -O3 -mavx2 -mfma -o fwht_avx2 fwht_avx2.c && ./fwht_avx2
 * Output: one line per (type, d): transforms per second, the median of 7 timed runs
 * after a warm-up, by wall clock and by this thread's CPU time (the CPU-time rate is the
 * steadier one on a machine shared with other work). The same buffer is transformed over and over, as on the Swift side:
 * its values grow by about sqrt(d) per transform and reach inf/NaN, which x86 adds and
 * subtracts at full speed (only subnormals are slow), the same on both sides.
 */
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- float: 8 lanes; the three lowest stages inside each register ---- */
static void fwht_f32(float *x, size_t n) {
    const __m256 s1 = _mm256_setr_ps(1, -1, 1, -1, 1, -1, 1, -1);
    const __m256 s2 = _mm256_setr_ps(1, 1, -1, -1, 1, 1, -1, -1);
    const __m256 s4 = _mm256_setr_ps(1, 1, 1, 1, -1, -1, -1, -1);
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        v = _mm256_fmadd_ps(v, s1, _mm256_permute_ps(v, 0xB1));           /* half = 1 */
        v = _mm256_fmadd_ps(v, s2, _mm256_permute_ps(v, 0x4E));           /* half = 2 */
        v = _mm256_fmadd_ps(v, s4, _mm256_permute2f128_ps(v, v, 0x01));   /* half = 4 */
        _mm256_storeu_ps(x + i, v);
    }
    size_t half = 8;
    /* Two stages per pass (radix 4) while at least two remain. */
    for (; 4 * half <= n; half *= 4) {
        for (size_t start = 0; start < n; start += 4 * half) {
            float *p = x + start;
            for (size_t i = 0; i < half; i += 8) {
                __m256 a = _mm256_loadu_ps(p + i), b = _mm256_loadu_ps(p + i + half);
                __m256 c = _mm256_loadu_ps(p + i + 2 * half), d = _mm256_loadu_ps(p + i + 3 * half);
                __m256 ab0 = _mm256_add_ps(a, b), ab1 = _mm256_sub_ps(a, b);
                __m256 cd0 = _mm256_add_ps(c, d), cd1 = _mm256_sub_ps(c, d);
                _mm256_storeu_ps(p + i, _mm256_add_ps(ab0, cd0));
                _mm256_storeu_ps(p + i + half, _mm256_add_ps(ab1, cd1));
                _mm256_storeu_ps(p + i + 2 * half, _mm256_sub_ps(ab0, cd0));
                _mm256_storeu_ps(p + i + 3 * half, _mm256_sub_ps(ab1, cd1));
            }
        }
    }
    for (; half < n; half *= 2) {
        for (size_t start = 0; start < n; start += 2 * half) {
            float *p = x + start;
            for (size_t i = 0; i < half; i += 8) {
                __m256 a = _mm256_loadu_ps(p + i), b = _mm256_loadu_ps(p + i + half);
                _mm256_storeu_ps(p + i, _mm256_add_ps(a, b));
                _mm256_storeu_ps(p + i + half, _mm256_sub_ps(a, b));
            }
        }
    }
}

/* ---- double: 4 lanes; the two lowest stages inside each register ---- */
static void fwht_f64(double *x, size_t n) {
    const __m256d s1 = _mm256_setr_pd(1, -1, 1, -1);
    const __m256d s2 = _mm256_setr_pd(1, 1, -1, -1);
    for (size_t i = 0; i < n; i += 4) {
        __m256d v = _mm256_loadu_pd(x + i);
        v = _mm256_fmadd_pd(v, s1, _mm256_permute_pd(v, 0x5));             /* half = 1 */
        v = _mm256_fmadd_pd(v, s2, _mm256_permute2f128_pd(v, v, 0x01));    /* half = 2 */
        _mm256_storeu_pd(x + i, v);
    }
    size_t half = 4;
    for (; 4 * half <= n; half *= 4) {
        for (size_t start = 0; start < n; start += 4 * half) {
            double *p = x + start;
            for (size_t i = 0; i < half; i += 4) {
                __m256d a = _mm256_loadu_pd(p + i), b = _mm256_loadu_pd(p + i + half);
                __m256d c = _mm256_loadu_pd(p + i + 2 * half), d = _mm256_loadu_pd(p + i + 3 * half);
                __m256d ab0 = _mm256_add_pd(a, b), ab1 = _mm256_sub_pd(a, b);
                __m256d cd0 = _mm256_add_pd(c, d), cd1 = _mm256_sub_pd(c, d);
                _mm256_storeu_pd(p + i, _mm256_add_pd(ab0, cd0));
                _mm256_storeu_pd(p + i + half, _mm256_add_pd(ab1, cd1));
                _mm256_storeu_pd(p + i + 2 * half, _mm256_sub_pd(ab0, cd0));
                _mm256_storeu_pd(p + i + 3 * half, _mm256_sub_pd(ab1, cd1));
            }
        }
    }
    for (; half < n; half *= 2) {
        for (size_t start = 0; start < n; start += 2 * half) {
            double *p = x + start;
            for (size_t i = 0; i < half; i += 4) {
                __m256d a = _mm256_loadu_pd(p + i), b = _mm256_loadu_pd(p + i + half);
                _mm256_storeu_pd(p + i, _mm256_add_pd(a, b));
                _mm256_storeu_pd(p + i + half, _mm256_sub_pd(a, b));
            }
        }
    }
}

/* Plain scalar FWHT, only to check the AVX2 versions. */
static void fwht_scalar(double *x, size_t n) {
    for (size_t half = 1; half < n; half *= 2)
        for (size_t start = 0; start < n; start += 2 * half)
            for (size_t i = start; i < start + half; i++) {
                double a = x[i], b = x[i + half];
                x[i] = a + b;
                x[i + half] = a - b;
            }
}

static double now_seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile double sink;

/* Median transforms/s over 7 runs of `count` transforms each, after one warm-up run. */
#define TIME_KERNEL(TYPE, KERNEL, n, count, wall, cpu)                                \
    do {                                                                              \
        TYPE *buf = aligned_alloc(64, (n) * sizeof(TYPE));                            \
        for (size_t i = 0; i < (n); i++) buf[i] = (TYPE)((double)(i % 7) - 3.0);     \
        double wallRates[7], cpuRates[7];                                             \
        for (int run = -1; run < 7; run++) {                                          \
            double w0 = now_seconds(CLOCK_MONOTONIC);                                 \
            double c0 = now_seconds(CLOCK_THREAD_CPUTIME_ID);                         \
            for (long k = 0; k < (count); k++) KERNEL(buf, (n));                      \
            double c1 = now_seconds(CLOCK_THREAD_CPUTIME_ID);                         \
            double w1 = now_seconds(CLOCK_MONOTONIC);                                 \
            if (run >= 0) {                                                           \
                wallRates[run] = (double)(count) / (w1 - w0);                         \
                cpuRates[run] = (double)(count) / (c1 - c0);                          \
            }                                                                         \
        }                                                                             \
        sink = (double)buf[0];                                                        \
        free(buf);                                                                    \
        qsort(wallRates, 7, sizeof(double), compare_doubles);                         \
        qsort(cpuRates, 7, sizeof(double), compare_doubles);                          \
        (wall) = wallRates[3];                                                        \
        (cpu) = cpuRates[3];                                                          \
    } while (0)

static int check(size_t n) {
    double *ref = malloc(n * sizeof(double)), *xd = malloc(n * sizeof(double));
    float *xf = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        ref[i] = xd[i] = (double)((i * 37 + 11) % 17) - 8.0;
        xf[i] = (float)ref[i];
    }
    fwht_scalar(ref, n);
    fwht_f64(xd, n);
    fwht_f32(xf, n);
    int ok = 1;
    for (size_t i = 0; i < n; i++)  /* small integers: every result is exact */
        if (xd[i] != ref[i] || (double)xf[i] != ref[i]) ok = 0;
    free(ref); free(xd); free(xf);
    return ok;
}

int main(void) {
    const size_t dims[] = {128, 1024, 4096};
    for (int k = 0; k < 3; k++) {
        size_t d = dims[k];
        if (!check(d)) {
            fprintf(stderr, "AVX2 FWHT disagrees with the scalar FWHT at d = %zu\n", d);
            return 1;
        }
        long count = (long)(200000000 / (d * (size_t)log2((double)d)));  /* ~0.1-0.3 s a run */
        double wf, cf, wd, cd;
        TIME_KERNEL(float, fwht_f32, d, count, wf, cf);
        TIME_KERNEL(double, fwht_f64, d, count, wd, cd);
        printf("c-avx2 fwht Float  d=%-5zu wall %.4e  cpu %.4e transforms/s\n", d, wf, cf);
        printf("c-avx2 fwht Double d=%-5zu wall %.4e  cpu %.4e transforms/s\n", d, wd, cd);
    }
    return 0;
}
