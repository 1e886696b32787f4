"""Benchmark: the filter explorer's apply request vs cv2.filter2D + PNG encoding.

For each case the same 512 x 512 sample and kernel are used, in the same run:

- ``baseline``: ``cv2.filter2D`` (uint8 in, uint8 out) + ``cv2.imencode(".png")``, the least
  work that can give a picture of the result;
- ``server``: the server time of one ``POST /api/apply`` as the page sends it, through the
  whole app (validation, the core's ``correlate`` and ``to_display``, the displayed uint8
  pixels as raw bytes after a small JSON part: the legend, the Python code), read from the
  app's ``Server-Timing`` header of a real uvicorn server started for the run; the ``round trip`` column adds HTTP on
  127.0.0.1 and the client (the page draws the pixels into a canvas as they are and encodes
  the PNG for the download button itself);
- ``compute``: the part of that request that runs in the thread pool, called in-process;
- ``server, PNG``: the same request with ``"format": "png"`` (the opt-in for API users that
  want a PNG file), for comparison.

Target (issue 3): server time per request <= 2 x baseline. Prints a markdown table.

    python bench/bench_web.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

import cv2
import httpx
import numpy as np

import convolab as cl
from convolab.web.routes import explorer

CASES = [
    ("astronaut", "sharpen", None),
    ("astronaut", "gaussian-5", None),
    ("astronaut", "log", None),
    ("camera", "sobel-x", None),
    ("camera", "box 15x15", [["1/225"] * 15] * 15),
]


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up (caches, first-call costs)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "uvicorn", "convolab.web.app:create_app", "--factory"]
    cmd += ["--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/openapi.json").status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    proc, base = start_server()
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            rows = run(client, args.repeat)
    finally:
        proc.terminate()
        proc.wait()
    print(f"Median of {args.repeat} runs, milliseconds.\n")
    print(
        "| image | filter | filter2D + PNG | compute | server time | round trip "
        "| server / baseline | server, PNG |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for image, name, b, c, s, trip, ratio, s_png in rows:
        print(
            f"| {image} | {name} | {b:.1f} | {c:.1f} | {s:.1f} | {trip:.1f} | {ratio:.2f}x "
            f"| {s_png:.1f} |"
        )
    worst = max(r[-2] for r in rows)
    print(f"\nWorst ratio {worst:.2f}x (target <= 2x): {'met' if worst <= 2 else 'NOT met'}.")


def run(client: httpx.Client, repeat: int) -> list[tuple]:
    rows = []
    for sample, name, cells in CASES:
        img = cl.sample(sample)
        if cells is None:
            values = cl.kernel(name).values
            body = {"sample": sample, "filter": name}
        else:
            values = cl.parse_kernel("; ".join(" ".join(r) for r in cells))
            body = {"sample": sample, "filter": "identity", "kernel": cells}
        bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if img.ndim == 3 else img

        def baseline(bgr=bgr, values=values):
            out = cv2.filter2D(bgr, -1, values, borderType=cv2.BORDER_CONSTANT)
            ok, buf = cv2.imencode(".png", out)
            return buf

        # what the page sends (explorer.js requestBody): the raw pixels come back
        body |= {"mode": "correlate", "border": "zero", "colour": True}
        server_ms, server_png_ms = [], []

        def server(body=body, times=server_ms):
            r = client.post("/api/apply", json=body)
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == explorer.APPLY_MEDIA_TYPE  # binary, no base64
            meta, image = explorer.split_envelope(r.content, int(r.headers["x-meta-length"]))
            assert meta["format"] == body.get("format", "pixels") and image
            times.append(float(r.headers["server-timing"].partition("dur=")[2]))
            return r

        request = explorer.ApplyRequest(**body)

        def compute(request=request):
            return explorer._apply_answer(request, "nl")  # the work and the answer body

        b = median_ms(baseline, repeat)
        trip = median_ms(server, repeat)
        s = statistics.median(server_ms[1:])  # without the warm-up request
        c = median_ms(compute, repeat)
        png_body = {**body, "format": "png"}
        median_ms(lambda b=png_body, times=server_png_ms: server(b, times), repeat)
        s_png = statistics.median(server_png_ms[1:])
        shape = "x".join(map(str, img.shape))
        rows.append((f"{sample} ({shape})", name, b, c, s, trip, s / b, s_png))
    return rows


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
