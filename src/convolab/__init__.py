"""convolab: see and do convolutions."""

from .geometry import explain_output_size, output_size

__version__ = "0.1.0"
__all__ = ["output_size", "explain_output_size"]
