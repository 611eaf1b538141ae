#!/usr/bin/env python3
"""Turns one ./run's raw outputs into the figures table of docs/performance.md.

Inputs (all in the results folder given as the only argument):
  c-fwht.txt        Benchmarks/reference-c/fwht_avx2 output
  numpy-normals.txt Scripts/bench-numpy-normals.py output
  threads*/ *.jmh   ordo-one/benchmark JMH exports, one folder per OPENBLAS_NUM_THREADS

For every Swift benchmark: items/s = (items per iteration) / (median iteration time), by wall
clock (ordo-one's wallClock p50) and by process CPU time (custom metric cpuNanos p50), and
its ratio to the baseline measured in the same run (ratio > 1: faster than the baseline):
  Normals    numpy PCG64 (numpy-normals.txt)          normals/s
  FWHT       C AVX2 reference (c-fwht.txt)            transforms/s
  Sketch     "Sketch bare sgemm" of the same n, d, m and OpenBLAS threads      keys/s
  Transform  apply(x): "Transform bare sgemv" of the same d, m;
             apply(batch:): "Transform bare sgemm" of the same n, d, m, threads  vectors/s
  Scoring    "Scoring bare sgemv" of the same n, d                               keys/s
  Decode     "Decode exact" of the same n, d                                     decodes/s
  Npy        npyBytes: "Npy bare memcpy", contentsOfFile: "Npy bare read(2)",
             same shape                                                          MB/s (10^6 data bytes/s)
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

    families = ("Normals", "FWHT", "Sketch", "Transform", "Scoring", "Decode", "Npy", "")
    units = {"Sketch": "keys/s", "Transform": "vectors/s", "Scoring": "keys/s", "Decode": "decodes/s", "Npy": "MB/s"}
    # Displayed rate = items/s × scale (Npy items are data bytes, shown in 10^6 bytes/s).
    scales = {"Npy": 1e-6}

    def same_run(prefix, condition):
        """The Swift benchmark starting with `prefix` for which `condition(name)` holds, as (name, figures)."""
        for k, v in swift.items():
            if k.startswith(prefix) and condition(k):
                return k, v
        return None, None

    def numbers_match(a, b, keys):
        """Whether names a and b carry the same value for every `key=` in keys."""
        def value(name, key):
            m = re.search(rf"\b{key}=(\S+)", name)
            return m.group(1) if m else None
        return all(value(a, k) == value(b, k) for k in keys)

    def swift_baseline(name):
        """(baseline name, baseline figures) measured in the same run, or ("", None)."""
        bare = None
        if name.startswith("Sketch ") and not name.startswith("Sketch bare"):
            bare = same_run("Sketch bare sgemm", lambda k: numbers_match(name, k, ("n", "d", "m", "threads")))
        elif name.startswith("Transform ") and not name.startswith("Transform bare"):
            if " apply(x) " in name:
                bare = same_run("Transform bare sgemv", lambda k: numbers_match(name, k, ("d", "m")))
            elif " apply(batch:) " in name:
                bare = same_run("Transform bare sgemm", lambda k: numbers_match(name, k, ("n", "d", "m", "threads")))
        elif name.startswith("Scoring ") and not name.startswith("Scoring bare"):
            bare = same_run("Scoring bare sgemv", lambda k: numbers_match(name, k, ("n", "d")))
        elif name.startswith("Decode ") and not name.startswith("Decode exact"):
            bare = same_run("Decode exact", lambda k: numbers_match(name, k, ("n", "d")))
        elif name.startswith("Npy NpyArray(npyBytes:)"):
            bare = same_run("Npy bare memcpy", lambda k: numbers_match(name, k, ("rows", "columns")))
        elif name.startswith("Npy NpyArray(contentsOfFile:)"):
            bare = same_run("Npy bare read(2)", lambda k: numbers_match(name, k, ("rows", "columns")))
        if bare is None or bare[0] is None:
            return "", None
        return bare

    def is_baseline(name):
        return " bare " in name or name.startswith("Decode exact")

    def order(name):
        """Family, then each baseline followed by what is measured against it."""
        family = next(i for i, f in enumerate(families) if name.startswith(f))
        group = name if is_baseline(name) else (swift_baseline(name)[0] or name)
        numbers = [int(x) for x in re.findall(r"=(\d+)", group)]
        return (family, "Double" in name, numbers, group, not is_baseline(name), name)

    rows = []
    for name in sorted(swift, key=order):
        family = next(f for f in families if name.startswith(f))
        scale = scales.get(family, 1.0)
        wall, cpu = (x * scale for x in swift[name])
        unit, baseline, baseline_name = units.get(family, ""), None, ""
        if m := re.match(r"Normals (\w+)", name):
            unit, baseline, baseline_name = "normals/s", npy.get(m.group(1)), f"numpy PCG64 {m.group(1)}"
        elif m := re.match(r"FWHT (\w+) (d=\d+)", name):
            key = f"{m.group(1)} {m.group(2)}"
            unit, baseline, baseline_name = "transforms/s", c.get(key), f"C AVX2 {key}"
        else:
            baseline_name, baseline = swift_baseline(name)
            if baseline is not None:
                baseline = tuple(x * scale for x in baseline)
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
    missing = [n for n, _, _, _, _, b in rows if b is None and not is_baseline(n)]
    if missing:
        print()
        print("No baseline in this run for: " + "; ".join(missing))
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
