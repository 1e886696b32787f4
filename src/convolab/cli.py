"""The ``convolab`` command.

    convolab filters [--lang nl|en]
    convolab apply IN... (-f NAME | --kernel "0 -1 0; -1 5 -1; 0 -1 0") -o OUT [options]
    convolab explain IN -f NAME --at ROW,COL [options]
    convolab serve [--host 127.0.0.1] [--port 8000] [--class] [--allowed-host NAME]
                   [--trusted-proxy [N]]
    convolab notebook [DIR]
    convolab export-learning-objects DIR

IN is an image file, a folder of images, or ``sample:NAME`` (a built-in photo).
Bad input ends with exit code 2 and one line on stderr, in Dutch or English
(``CONVOLAB_LANG=nl|en``, else the locale).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .borders import BORDERS
from .geometry import PADDING_NAMES
from .kernels import MAPPINGS

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _pair(text: str, what: str):
    try:
        parts = [int(p) for p in text.replace("x", ",").split(",")]
    except ValueError:
        raise UsageError(f"{what} must be a whole number or ROWS,COLS; got {text!r}") from None
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return tuple(parts)
    raise UsageError(f"{what} must be a whole number or ROWS,COLS; got {text!r}")


def _padding(text: str):
    return text if text in PADDING_NAMES else _pair(text, "--padding")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="convolab", description="See and do convolutions.")
    p.add_argument("--version", action="version", version=f"convolab {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    f = sub.add_parser("filters", help="list the catalogue of named filters")
    f.add_argument("--lang", choices=("nl", "en"), default="nl")

    def options(sp):
        g = sp.add_mutually_exclusive_group(required=True)
        g.add_argument("-f", "--filter", help="a catalogue name (see `convolab filters`)")
        g.add_argument("--kernel", help='typed kernel, e.g. "0 -1 0; -1 5 -1; 0 -1 0" or "1/9 ..."')
        sp.add_argument("--convolve", action="store_true", help="flip the kernel (convolution)")
        sp.add_argument("--padding", default="same", help="same | valid | full | N | ROWS,COLS")
        sp.add_argument("--border", default="zero", help=" | ".join(BORDERS))
        sp.add_argument("--stride", default="1", help="N or ROWS,COLS")
        sp.add_argument("--dilation", default="1", help="N or ROWS,COLS")
        sp.add_argument("--mapping", help=" | ".join(MAPPINGS) + " (default: the filter's own)")
        sp.add_argument("--grey", action="store_true", help="convert colour images to greyscale")

    a = sub.add_parser("apply", help="apply a filter to images and save the results")
    a.add_argument("inputs", nargs="+", metavar="IN", help="image file(s), folder, or sample:NAME")
    a.add_argument("-o", "--output", required=True, help="output file, or folder for many")
    options(a)

    e = sub.add_parser("explain", help="show how one output pixel is computed")
    e.add_argument("input", metavar="IN")
    e.add_argument("--at", required=True, help="ROW,COL of the output pixel")
    options(e)

    s = sub.add_parser("serve", help="start the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--class",
        dest="classroom",
        action="store_true",
        help="serve a class: listen on the network (0.0.0.0) and print the address pupils type",
    )
    s.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer to this Host name (repeatable); localhost and this machine's addresses"
        " always work",
    )
    s.add_argument(
        "--trusted-proxy",
        nargs="?",
        const=1,
        type=int,
        default=None,
        metavar="N",
        help="pupils reach the server through N proxies (default 1) that add X-Forwarded-For:"
        " per-pupil limits then use the address the proxy saw (sets CONVOLAB_TRUSTED_PROXY)",
    )

    n = sub.add_parser("notebook", help="open JupyterLab on a copy of the notebooks")
    n.add_argument("folder", nargs="?", default="convolab-notebooks")
    n.add_argument("--lang", choices=("nl", "en"), default="nl")
    n.add_argument("--no-browser", action="store_true")
    n.add_argument("--teacher", action="store_true", help="also copy the teacher notebook")

    x = sub.add_parser("export-learning-objects", help="write the learning objects (Dwengo format)")
    x.add_argument("folder")
    x.add_argument(
        "--base-url",
        help="where convolab runs (https://...): links to its pages and tools become absolute; "
        "required, Dwengo cannot serve them",
    )
    return p


def _read(spec: str, grey: bool):
    from .imageio import load_image
    from .samples import sample

    if spec.startswith("sample:"):
        return sample(spec.split(":", 1)[1], grey=grey)
    return load_image(spec, colour="grey" if grey else "keep")


def _kernel_and_mapping(args):
    from .kernels import kernel, parse_kernel

    if args.filter:
        k = kernel(args.filter)
        return k.values, args.mapping or k.display, k.id
    return parse_kernel(args.kernel), args.mapping or "clip", "kernel"


def _op_kwargs(args) -> dict:
    return {
        "padding": _padding(args.padding),
        "border": args.border,
        "stride": _pair(args.stride, "--stride"),
        "dilation": _pair(args.dilation, "--dilation"),
    }


def _inputs(specs: list[str]) -> list[str]:
    out = []
    for spec in specs:
        p = Path(spec)
        if p.is_dir():
            files = sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_EXTS)
            if not files:
                raise UsageError(f"the folder {spec!r} holds no images ({', '.join(IMAGE_EXTS)})")
            out += [str(q) for q in files]
        else:
            out.append(spec)
    return out


def cmd_filters(args) -> None:
    from .kernels import kernels

    for k in kernels():
        cells = k.cells()
        width = max(len(c) for row in cells for c in row)
        print(f"{k.id}  —  {k.name(args.lang)}   [{k.display}]")
        print(f"    {k.about(args.lang)}")
        for row in cells:
            print("      " + " ".join(c.rjust(width) for c in row))
        print()


def cmd_apply(args) -> None:
    from tqdm import tqdm

    from .engine import convolve, correlate
    from .imageio import save_image

    values, mapping, label = _kernel_and_mapping(args)
    kw = _op_kwargs(args)
    op = convolve if args.convolve else correlate
    files = _inputs(args.inputs)
    out = Path(args.output)
    many = len(files) > 1 or any(Path(s).is_dir() for s in args.inputs)
    if many:
        out.mkdir(parents=True, exist_ok=True)
    elif out.suffix.lower() not in IMAGE_EXTS:
        raise UsageError(f"-o {args.output!r} needs an image extension ({', '.join(IMAGE_EXTS)})")
    bar = tqdm(files, unit="img", disable=not many, file=sys.stderr)
    for spec in bar:
        result = op(_read(spec, args.grey), values, **kw)
        stem = spec.split(":", 1)[1] if spec.startswith("sample:") else Path(spec).stem
        target = out / f"{stem}_{label}.png" if many else out
        save_image(target, result, mapping=mapping)
        if not many:
            print(f"{target}  ({result.shape[1]}×{result.shape[0]}, mapping {mapping})")
    if many:
        print(f"{len(files)} images written to {out}/")


def cmd_explain(args) -> None:
    from .explain import explain

    values, mapping, _ = _kernel_and_mapping(args)
    at = _pair(args.at, "--at")
    if not isinstance(at, tuple):
        raise UsageError(f"--at must be ROW,COL; got {args.at!r}")
    e = explain(
        _read(args.input, args.grey),
        values,
        at=at,
        mode="convolve" if args.convolve else "correlate",
        mapping=mapping,
        **_op_kwargs(args),
    )
    print(f"output pixel {at} of {e.out_shape}, {e.mode}, border {e.border}, mapping {mapping}")
    if e.padded.any():
        print(f"({int(e.padded.sum())} cell(s) lie in the padding)")
    print(e.table())


def cmd_serve(args) -> None:
    from .web.app import serve

    if args.trusted_proxy is not None:
        if args.trusted_proxy < 0:
            raise UsageError(f"--trusted-proxy must be 0 or more; got {args.trusted_proxy}")
        os.environ["CONVOLAB_TRUSTED_PROXY"] = str(args.trusted_proxy)
    from .classes.store import where_stored
    from .web.app import check_settings

    try:
        check_settings()  # a bad setting: one line now, not an error per drawing or run later
        where = where_stored()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    nl = cli_lang() == "nl"
    print(("tekeningen van de klassen: " if nl else "class drawings: ") + where, flush=True)
    serve(
        host=args.host,
        port=args.port,
        classroom=args.classroom,
        allowed_hosts=tuple(args.allowed_host),
    )


def cmd_notebook(args) -> None:
    from .notebooks import open_notebooks

    open_notebooks(args.folder, lang=args.lang, browser=not args.no_browser, teacher=args.teacher)


def cmd_export(args) -> None:
    from .content import export_learning_objects

    written = export_learning_objects(args.folder, base_url=args.base_url)
    print(f"learning objects written to {args.folder}/ ({len(written)} files)")


COMMANDS = {
    "filters": cmd_filters,
    "apply": cmd_apply,
    "explain": cmd_explain,
    "serve": cmd_serve,
    "notebook": cmd_notebook,
    "export-learning-objects": cmd_export,
}


def cli_lang(environ=None) -> str:
    """The language of error lines: ``CONVOLAB_LANG`` (``nl``/``en``), else Dutch when the
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) is Dutch, else English."""
    import os

    env = os.environ if environ is None else environ
    chosen = env.get("CONVOLAB_LANG", "").strip().lower()
    if chosen in ("nl", "en"):
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


def error_line(exc: BaseException, lang: str | None = None) -> str:
    """One line for a bad input: a core error worded from the catalogue in ``lang``."""
    from .errors import message

    text = message(exc, lang or cli_lang()) if not isinstance(exc, UsageError) else str(exc)
    if isinstance(exc, MemoryError):
        text = "not enough memory for this input" if text == "MemoryError" else text
    text = " ".join(text.split())  # one line, whatever the message holds
    label = "fout" if (lang or cli_lang()) == "nl" else "error"
    return f"convolab: {label}: {text}"


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. `convolab filters | head`
        return 0
    except (UsageError, ValueError, TypeError, OSError, MemoryError) as exc:
        print(error_line(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
