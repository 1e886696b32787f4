"""A shared table of odd and bad requests: each with the status and code it must get.

Used by ``test_guard.py`` (status and code in both languages, Dutch without English) and by
``test_api_docs.py`` (every status here is documented in the OpenAPI document for its
operation). Every other web test's errors are checked in Dutch by ``conftest.py`` too.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class Bad:
    id: str
    method: str
    path: str
    status: int
    code: str
    json: object = None
    content: bytes | None = None
    headers: dict = field(default_factory=dict)

    def send(self, client, lang: str):
        sep = "&" if "?" in self.path else "?"
        url = f"{self.path}{sep}lang={lang}"
        kwargs = {}
        if self.json is not None:
            kwargs["json"] = self.json
        if self.content is not None:
            kwargs["content"] = self.content
            kwargs["headers"] = {**JSON, **self.headers}
        return client.request(self.method, url, **kwargs)


def _image(fmt: str) -> str:
    buf = io.BytesIO()
    Image.fromarray(np.full((16, 16, 3), 90, np.uint8)).save(buf, format=fmt)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


SLASHES = "1" + "/1" * 1000
#: 13 MB of extra keys (under the 15 MB body limit)
EXTRA_KEYS = json.dumps({f"k{i}": i for i in range(750_000)}).encode()

BAD: list[Bad] = [
    # a cell of ~1000 '/' (once a RecursionError): as a grid cell, as typed text, in the player
    Bad(
        "slashes cell",
        "POST",
        "/api/apply",
        400,
        "cell_too_long",
        json={"sample": "camera", "kernel": [[SLASHES]]},
    ),
    Bad(
        "two slashes",
        "POST",
        "/api/apply",
        400,
        "cell_two_slashes",
        json={"sample": "camera", "kernel": [["1/2/3"]]},
    ),
    Bad(
        "slashes text",
        "POST",
        "/api/steps",
        400,
        "cell_too_long",
        json={"filter": "custom", "kernel": SLASHES},
    ),
    Bad(  # the learn route bounds its text field itself: pydantic's error, worded in Dutch
        "slashes learn",
        "POST",
        "/api/learn/runs",
        422,
        "invalid_request",
        json={"target": "custom", "kernel": SLASHES},
    ),
    Bad(
        "slashes signal",
        "GET",
        f"/api/signals/filter?kernel=custom&taps={SLASHES}",
        400,
        "cell_too_long",
    ),
    # NUL bytes in a path, a parameter or a body
    Bad("nul in content path", "GET", "/content/objects/a%00b/nl/x.png", 400, "nul_byte"),
    Bad("nul in an object id", "GET", "/api/learning/objects/a%00b", 400, "nul_byte"),
    Bad("nul in page path", "GET", "/leren/%00", 400, "nul_byte"),
    Bad("nul in a parameter", "GET", "/api/signals/values?signal=ecg%00", 400, "nul_byte"),
    Bad(
        "nul in a body",
        "POST",
        "/api/apply",
        400,
        "nul_byte",
        json={"sample": "camera\u0000", "filter": "blur"},
    ),
    # invalid UTF-8
    Bad(
        "utf8 body",
        "POST",
        "/api/apply",
        400,
        "invalid_utf8",
        content=b'{"sample": "caf\xe9", "filter": "blur"}',
    ),
    Bad("utf8 parameter", "GET", "/api/signals/values?signal=%ff", 400, "invalid_utf8"),
    # not JSON, too deep, too wide
    Bad("not json", "POST", "/api/apply", 422, "invalid_json", content=b"{sample: camera"),
    Bad(
        "very deep json",
        "POST",
        "/api/apply",
        400,
        "json_too_deep",
        content=b"[" * 100_000 + b"]" * 100_000,
    ),
    Bad("deep json", "POST", "/api/apply", 400, "json_too_deep", content=_nested(40)),
    Bad(
        "13 MB of extra keys",
        "POST",
        "/api/apply",
        400,
        "too_many_fields",
        content=EXTRA_KEYS,
    ),
    Bad(
        "1.2 MB boolean kernel row",
        "POST",
        "/api/apply",
        400,
        "kernel_too_many_cells",
        content=json.dumps({"sample": "camera", "kernel": [[True] * 200_000]}).encode(),
    ),
    Bad(
        "kernel rows",
        "POST",
        "/api/steps",
        400,
        "kernel_too_many_rows",
        json={"filter": "custom", "kernel": [[1]] * 500},
    ),
    Bad(
        "long list",
        "POST",
        "/api/network/runs/x/predict",
        400,
        "too_many_items",
        json={"pixels": [0.0] * 100_000},
    ),
    # image formats not offered
    *[
        Bad(
            f"{fmt} upload",
            "POST",
            "/api/image",
            400,
            "image_format_not_allowed",
            json={"data": _image(fmt)},
        )
        for fmt in ("ICO", "TGA", "PPM", "PCX", "BMP", "TIFF")
    ],
    # pydantic's own errors, worded from the catalogue
    Bad(
        "extra field",
        "POST",
        "/api/apply",
        422,
        "invalid_request",
        json={"sample": "camera", "filter": "blur", "bogus": 1},
    ),
    Bad(
        "wrong literal",
        "POST",
        "/api/apply",
        422,
        "invalid_request",
        json={"sample": "camera", "filter": "blur", "mode": "flip"},
    ),
    Bad(
        "wrong type",
        "POST",
        "/api/apply",
        422,
        "invalid_request",
        json={"sample": "camera", "filter": "blur", "colour": "maybe"},
    ),
    Bad("missing field", "POST", "/api/image", 422, "invalid_request", json={}),
    Bad("query not a number", "GET", "/api/arithmetic?rows=abc", 422, "invalid_request"),
    Bad(
        "query too long",
        "POST",
        "/api/apply",
        422,
        "invalid_request",
        json={"sample": "camera", "filter": "blur", "filename": "x" * 300},
    ),
    # the core's coded errors
    Bad(
        "unknown filter",
        "POST",
        "/api/apply",
        400,
        "unknown_filter",
        json={"sample": "camera", "filter": "sobl-x"},
    ),
    Bad(
        "unknown border",
        "POST",
        "/api/apply",
        400,
        "unknown_choice",
        json={"sample": "camera", "filter": "blur", "border": "mirror"},
    ),
    Bad(
        "kernel does not fit",
        "GET",
        "/api/arithmetic?rows=2&krows=5&padding=valid",
        400,
        "kernel_larger_than_padded",
    ),
    Bad("unknown signal", "GET", "/api/signals/values?signal=ekg", 400, "unknown_signal"),
]
