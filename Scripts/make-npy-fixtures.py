#!/usr/bin/env python3
"""Write the small .npy fixtures used by Tests/JLNumpyTests (run from the package root).

    python3 Scripts/make-npy-fixtures.py

Good fixtures are written by numpy itself (np.save / np.lib.format.write_array), so the Swift
writer can be checked byte for byte against them. Their values are closed forms that the Swift
tests recompute exactly:

    f2_arange.npy   ((np.arange(24) - 12) / 7).astype('<f2').reshape(4, 6)
    f4_arange.npy   (np.arange(24) / 7).astype('<f4').reshape(2, 3, 4)
    f8_arange.npy   np.arange(24) / 7                        shape (24,)
    i4_extremes.npy [-2**31, -1, 0, 1, 2**31 - 1, 123456789] shape (2, 3)
    i8_extremes.npy [-2**63, -1, 0, 1, 2**63 - 1, 2**53 + 1] shape (6,)
    scalar_f8.npy   np.array(np.pi)                          shape ()
    empty_f4.npy    np.zeros((0, 3), '<f4')
    f4_pad64.npy    (np.arange(200) / 7).astype('<f4'), shape (2, 100, 1, …, 1) with 12 ones:
                    10 + len(header) + 1 ≡ 0 (mod 64), so numpy pads a whole 64 bytes
    v2_f4.npy, v3_f4.npy  np.arange(6, dtype='<f4').reshape(2, 3) / 4, format 2.0 / 3.0

Hand-written headers that numpy still reads (checked with np.load below):
    keys_any_order.npy   keys reordered, odd whitespace, no growth padding, 16-byte alignment
    python2_long.npy     Python 2 style shape (2L, 3L)

Malformed fixtures (each has exactly one defect) are listed in MALFORMED below.
"""
import io
import os
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "JLNumpyTests", "Fixtures")
MAGIC = b"\x93NUMPY"


def save(name, array, version=None, allow_pickle=False):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=allow_pickle)
    write(name, buffer.getvalue())


def write(name, data):
    assert len(data) < 2048, (name, len(data))
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(data)


def raw_npy(header_text, data, version=(1, 0), align=64):
    """A .npy file with an arbitrary header text, padded with spaces and '\\n' like numpy."""
    header = header_text.encode("latin1" if version < (3, 0) else "utf8")
    length_format = "<H" if version == (1, 0) else "<I"
    preamble = len(MAGIC) + 2 + struct.calcsize(length_format)
    header_length = len(header) + 1
    padding = (align - (preamble + header_length) % align) % align
    return (MAGIC + bytes(version) + struct.pack(length_format, header_length + padding)
            + header + b" " * padding + b"\n" + data)


def good_fixtures():
    save("f2_arange.npy", ((np.arange(24) - 12) / 7).astype("<f2").reshape(4, 6))
    save("f4_arange.npy", (np.arange(24) / 7).astype("<f4").reshape(2, 3, 4))
    save("f8_arange.npy", np.arange(24) / 7)
    save("i4_extremes.npy", np.array([-2**31, -1, 0, 1, 2**31 - 1, 123456789], dtype="<i4").reshape(2, 3))
    save("i8_extremes.npy", np.array([-2**63, -1, 0, 1, 2**63 - 1, 2**53 + 1], dtype="<i8"))
    save("scalar_f8.npy", np.array(np.pi))
    save("empty_f4.npy", np.zeros((0, 3), dtype="<f4"))
    # 10 + len(header) + 1 is a multiple of 64 here, so numpy pads a full extra 64 bytes.
    pad64 = (np.arange(200) / 7).astype("<f4").reshape((2, 100) + (1,) * 12)
    save("f4_pad64.npy", pad64)
    assert len(open(os.path.join(OUT, "f4_pad64.npy"), "rb").read()) == 10 + 118 + 64 + 800
    small = np.arange(6, dtype="<f4").reshape(2, 3) / np.float32(4)
    save("v2_f4.npy", small, version=(2, 0))
    save("v3_f4.npy", small, version=(3, 0))

    data = small.tobytes()
    write("keys_any_order.npy",
          raw_npy("{ 'shape' :(2,3,) ,\t'fortran_order':False,\"descr\" : '<f4' , }", data, align=16))
    write("python2_long.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", data))
    for name in ("keys_any_order.npy", "python2_long.npy"):
        loaded = np.load(os.path.join(OUT, name))
        assert loaded.dtype == np.dtype("<f4") and loaded.shape == (2, 3) and (loaded == small).all(), name


def malformed_fixtures():
    f4_data = np.arange(6, dtype="<f4").tobytes()
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    good = raw_npy(header, f4_data)

    save("bad_bigendian.npy", np.arange(6, dtype=">f4").reshape(2, 3))
    save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    save("bad_object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    save("bad_complex.npy", np.arange(3, dtype="<c8"))
    save("bad_unicode.npy", np.array(["ab", "c"], dtype="<U2"))
    save("bad_uint8.npy", np.arange(3, dtype="|u1"))
    save("bad_structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
    write("bad_truncated.npy", good[:-5])
    write("bad_trailing.npy", good + b"\0\0\0")
    write("bad_magic.npy", b"\x93NUMPX" + good[6:])
    write("bad_version.npy", good[:6] + bytes([4, 0]) + good[8:])
    write("bad_notdict.npy", raw_npy("[1, 2, 3]", f4_data))
    write("bad_shape_too_large.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", f4_data))
    write("bad_negative_dim.npy", raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }", f4_data))
    write("bad_shape_overflow.npy",
          raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f4_data))
    write("bad_missing_key.npy", raw_npy("{'descr': '<f4', 'shape': (2, 3), }", f4_data))
    write("bad_header_length.npy", good[:8] + struct.pack("<H", 4000) + good[10:])


def main():
    os.makedirs(OUT, exist_ok=True)
    good_fixtures()
    malformed_fixtures()
    print(f"numpy {np.__version__}: wrote fixtures to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
