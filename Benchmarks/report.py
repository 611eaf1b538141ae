#!/usr/bin/env python3
"""Turns one ./run's raw outputs into the figures table of docs/performance.md.

Inputs (all in the results folder given as the only argument):
  c-fwht.txt        Benchmarks/reference-c/fwht_avx2 output
  numpy-normals.txt Scripts/bench-numpy-normals.py output
  threads*/ *.jmh   ordo-one/benchmark JMH exports, one folder per OPENBLAS_NUM_THREADS

For every Swift benchmark: items/s = (items per iteration) / (median iteration time), by wall
clock (ordo-one's wallClock p50) and by process CPU time (custom metric cpuNanos p50), and
its ratio to the baseline measured in the same run.
"""
import glob
import json
import re
import sys


def parse_baseline_lines(path, pattern):
    figures = {}
    with open(path) as f:
        for line in f:
            m = re.search(pattern, line)
            if m:
                key = m.group("key")
                figures[key] = (float(m.group("wall")), float(m.group("cpu")))
    return figures


def swift_figures(folder):
    figures = {}
    for path in glob.glob(f"{folder}/threads*/*.jmh*"):
        with open(path) as f:
            elements = json.load(f)
        for element in elements:
            name = element["benchmark"].split(".", 3)[-1].replace("_", " ")
            per_iteration = int(re.search(r"\((\d+) per iteration\)", name).group(1))
            name = re.sub(r"\s*\(\d+ per iteration\)", "", name)
            secondary = element["secondaryMetrics"]
            wall_us = secondary["Time (wall clock)"]["scorePercentiles"]["50.0"] if "Time (wall clock)" in secondary \
                else next(v for k, v in secondary.items() if "wall" in k.lower())["scorePercentiles"]["50.0"]
            cpu_ns = next(v for k, v in secondary.items() if "cpuNanos" in k)["scorePercentiles"]["50.0"]
            figures[name] = (per_iteration / (wall_us * 1e-6), per_iteration / (cpu_ns * 1e-9))
    return figures


def main():
    folder = sys.argv[1]
    c = parse_baseline_lines(f"{folder}/c-fwht.txt",
                             r"c-avx2 fwht (?P<key>\w+\s+d=\d+)\s+wall (?P<wall>\S+)\s+cpu (?P<cpu>\S+)")
    c = {re.sub(r"\s+", " ", k): v for k, v in c.items()}
    npy = parse_baseline_lines(f"{folder}/numpy-normals.txt",
                               r"numpy normals (?P<key>\w+)\s+wall (?P<wall>\S+)\s+cpu (?P<cpu>\S+)")
    swift = swift_figures(folder)

    rows = []
    def order(name):
        family = next(i for i, f in enumerate(("Normals", "FWHT", "Sketch", "")) if name.startswith(f))
        numbers = [int(x) for x in re.findall(r"=(\d+)", name)]
        return (family, "Double" in name, numbers, name)

    for name in sorted(swift, key=order):
        wall, cpu = swift[name]
        unit, baseline, baseline_name = "", None, ""
        if m := re.match(r"Normals (\w+)", name):
            unit, baseline, baseline_name = "normals/s", npy.get(m.group(1)), f"numpy PCG64 {m.group(1)}"
        elif m := re.match(r"FWHT (\w+) (d=\d+)", name):
            key = f"{m.group(1)} {m.group(2)}"
            unit, baseline, baseline_name = "transforms/s", c.get(key), f"C AVX2 {key}"
        elif m := re.match(r"Sketch GaussianJL.*?(n=\d+ d=\d+ m=\d+ threads=\S+)", name):
            bare = next((v for k, v in swift.items() if k.startswith("Sketch bare sgemm") and k.endswith(m.group(1))), None)
            unit, baseline, baseline_name = "keys/s", bare, f"bare sgemm {m.group(1)}"
        elif name.startswith("Sketch bare sgemm"):
            unit = "keys/s"
        rows.append((name, unit, wall, cpu, baseline_name, baseline))

    print("| benchmark | unit | Swift wall | Swift CPU | baseline | baseline wall | baseline CPU | ratio wall | ratio CPU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, unit, wall, cpu, baseline_name, baseline in rows:
        if baseline:
            bw, bc = baseline
            print(f"| {name} | {unit} | {wall:.3e} | {cpu:.3e} | {baseline_name} | {bw:.3e} | {bc:.3e} | {wall / bw:.2f} | {cpu / bc:.2f} |")
        else:
            print(f"| {name} | {unit} | {wall:.3e} | {cpu:.3e} | — | | | | |")
    sketch = [(n, w, c_) for n, _, w, c_, _, _ in rows if n.startswith("Sketch")]
    if sketch:
        print()
        print("GFLOP/s (2·n·m·d flops per batch):")
        for name, wall, cpu in sketch:
            m = re.search(r"n=(\d+) d=(\d+) m=(\d+)", name)
            n, d, k = map(int, m.groups())
            flops_per_key = 2 * d * k
            print(f"  {name}: wall {wall * flops_per_key / 1e9:.1f}  CPU {cpu * flops_per_key / 1e9:.1f}")


if __name__ == "__main__":
    main()
