"""PyTorch is imported only by convolab.learn: the core and the web app start without it."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import convolab
import convolab.cli
from convolab.web.app import create_app
create_app()
assert "torch" not in sys.modules, "torch was imported"
import convolab.learn
assert "torch" in sys.modules
import torch
assert torch.get_num_threads() == 1
print("ok")
"""


def test_torch_is_loaded_only_with_convolab_learn():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
