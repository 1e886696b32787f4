"""convolab: see and do convolutions.

>>> import convolab as cl
>>> img = cl.sample("camera")
>>> out = cl.correlate(img, cl.kernel("sharpen"))   # float64, negatives kept
>>> cl.to_display(out).dtype                          # uint8, ready to show
dtype('uint8')
"""

from .borders import BORDERS
from .display import to_display, value_range
from .engine import convolve, correlate
from .explain import Explanation, explain, steps
from .geometry import OutputSize, explain_output_size, output_size
from .imageio import encode_image, load_image, save_image
from .kernels import (
    MAPPINGS,
    Kernel,
    as_kernel,
    box,
    gaussian,
    kernel,
    kernels,
    laplacian_of_gaussian,
    motion_blur,
    parse_kernel,
)
from .samples import sample, samples

__version__ = "0.1.0"

__all__ = [
    "BORDERS",
    "MAPPINGS",
    "Explanation",
    "Kernel",
    "OutputSize",
    "as_kernel",
    "box",
    "convolve",
    "correlate",
    "encode_image",
    "explain",
    "explain_output_size",
    "gaussian",
    "kernel",
    "kernels",
    "laplacian_of_gaussian",
    "load_image",
    "motion_blur",
    "output_size",
    "parse_kernel",
    "sample",
    "samples",
    "save_image",
    "steps",
    "to_display",
    "value_range",
]
