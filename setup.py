"""The one compiled piece of convolab: exact small-kernel sums (src/convolab/_sums.c).

Everything else is in pyproject.toml. The extension is optional: where it cannot be built
(no C compiler), convolab computes the same values, bit for bit, with OpenCV's passes.
"""

import sys

from setuptools import Extension, setup

# -ffp-contract=off: no fused multiply-adds behind the code's back (every float operation as
# written; the sums are whole numbers, exact either way, but the module states what it does)
args = ["/O2"] if sys.platform == "win32" else ["-O3", "-ffp-contract=off"]
setup(
    ext_modules=[
        Extension(
            "convolab._sums", ["src/convolab/_sums.c"], extra_compile_args=args, optional=True
        )
    ]
)
