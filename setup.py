"""The compiled pieces of convolab: the engine's sums (src/convolab/_sums.c) and the shown
pixels (src/convolab/_display.c).

Everything else is in pyproject.toml. Both extensions are optional: where they cannot be built
(no C compiler), convolab computes the same values with OpenCV and numpy, more slowly.
"""

import sys

from setuptools import Extension, setup

# -ffp-contract=off: no fused multiply-adds behind the code's back (every float operation as
# written; the sums are whole numbers, exact either way, but the module states what it does)
args = ["/O2"] if sys.platform == "win32" else ["-O3", "-ffp-contract=off"]
setup(
    ext_modules=[
        Extension(
            f"convolab.{name}",
            [f"src/convolab/{name}.c"],
            depends=["src/convolab/_compiled.h"],  # what both include
            extra_compile_args=args,
            optional=True,
        )
        for name in ("_sums", "_display")
    ]
)
