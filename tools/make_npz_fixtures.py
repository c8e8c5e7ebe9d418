#!/usr/bin/env python3
"""Regenerates the NumPy .npz fixtures in tests/fixtures/npz for NpzFile's tests.

Run:  /usr/bin/python3 tools/make_npz_fixtures.py

Every array's values follow a formula of its row-major flat index i, so the tests can check them
without stored expectations:
  floats    0.25 * i - 3 + 100 * k      (k = the number in the name, 0 when there is none)
  signed    i - 3 + 100 * k
  unsigned  i + 100 * k
  bool      i % 3 == 0
All these values are exact in float16/float32. Zip timestamps are pinned so reruns give
byte-identical files.
"""
import os
import shutil
import time
from unittest import mock

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "npz")
FIXED_CLOCK = 1700000000.0  # zipfile stamps entries with time.localtime(time.time())


def formula(shape, dtype, k=0):
    i = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    kind = np.dtype(dtype).kind
    if kind == "f":
        values = 0.25 * i - 3 + 100 * k
    elif kind == "i":
        values = i - 3 + 100 * k
    elif kind == "u":
        values = i + 100 * k
    else:
        values = i % 3 == 0
    return values.astype(dtype)


def main():
    os.environ["TZ"] = "UTC"
    time.tzset()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with mock.patch("time.time", return_value=FIXED_CLOCK):
        # Keras LSTM(units=2) on 3 features: get_weights() = [kernel (I, 4H), recurrent_kernel (H, 4H), bias (4H,)],
        # saved the usual way: numpy.savez(path, *weights) -> arr_0, arr_1, arr_2 (stored, zip64 records).
        weights = [formula((3, 8), np.float32, 0), formula((2, 8), np.float32, 1), formula((8,), np.float32, 2)]
        np.savez(os.path.join(OUT, "keras_lstm.npz"), *weights)

        # Twelve arrays whose archive order is not numeric: arr_10 before arr_2, etc.
        order = [10, 2, 0, 11, 1, 7, 3, 9, 5, 4, 8, 6]
        np.savez(os.path.join(OUT, "unordered.npz"), **{f"arr_{k}": formula((2,), np.float32, k) for k in order})

        # Every supported dtype, both byte orders, Fortran order, scalar and empty arrays; deflated.
        arrays = {}
        for code in ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
            arrays[code] = formula((2, 3), "<" + code)
            if code[1] != "1":
                arrays["be_" + code] = formula((2, 3), ">" + code)
        arrays["b1"] = formula((2, 3), np.bool_)
        arrays["fortran_f4"] = np.asfortranarray(formula((2, 3, 4), np.float32))
        arrays["fortran_be_f8"] = np.asfortranarray(formula((3, 5), ">f8"))
        arrays["scalar"] = formula((), np.float32)
        arrays["empty"] = formula((0, 3), np.float32)
        np.savez_compressed(os.path.join(OUT, "dtypes.npz"), **arrays)
        assert not arrays["fortran_f4"].flags.c_contiguous

    # Header format versions 2.0 and 3.0 (savez always writes 1.0 for small headers).
    import zipfile
    from numpy.lib import format as npy_format
    with mock.patch("time.time", return_value=FIXED_CLOCK):
        with zipfile.ZipFile(os.path.join(OUT, "versions.npz"), "w", zipfile.ZIP_STORED) as z:
            for version, name in [((1, 0), "v1"), ((2, 0), "v2"), ((3, 0), "v3")]:
                with z.open(name + ".npy", "w") as f:
                    npy_format.write_array(f, formula((2, 2), np.float32), version=version)

    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    main()
