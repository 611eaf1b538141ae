#!/usr/bin/env python3
"""Baseline for the Gaussian-normals benchmark: numpy's Generator(PCG64).standard_normal.

Fills a preallocated buffer of 1,000,000 float32 and float64 normals in place (``out=``),
the same work as RandomStream.fillGaussian on the Swift side, and prints normals per
second: the median of 15 timed fills after 3 warm-up fills, by wall clock and by process
CPU time (the CPU-time rate is the steadier one on a machine shared with other work).

numpy's generator is single-threaded, so OPENBLAS_CORETYPE / OPENBLAS_NUM_THREADS do not
affect it. Run:  python3 Scripts/bench-numpy-normals.py
"""
import statistics
import time

import numpy as np

COUNT = 1_000_000
WARMUP = 3
RUNS = 15


def rates(dtype):
    rng = np.random.Generator(np.random.PCG64(42))
    out = np.empty(COUNT, dtype=dtype)
    for _ in range(WARMUP):
        rng.standard_normal(out=out, dtype=dtype)
    wall, cpu = [], []
    for _ in range(RUNS):
        w0, c0 = time.perf_counter(), time.process_time()
        rng.standard_normal(out=out, dtype=dtype)
        c1, w1 = time.process_time(), time.perf_counter()
        wall.append(COUNT / (w1 - w0))
        cpu.append(COUNT / (c1 - c0) if c1 > c0 else float("nan"))
    return statistics.median(wall), statistics.median(cpu)


def main():
    print(f"numpy {np.__version__}, Generator(PCG64).standard_normal, {COUNT} normals per fill")
    for name, dtype in (("Float ", np.float32), ("Double", np.float64)):
        wall, cpu = rates(dtype)
        print(f"numpy normals {name} wall {wall:.4e}  cpu {cpu:.4e} normals/s")


if __name__ == "__main__":
    main()
