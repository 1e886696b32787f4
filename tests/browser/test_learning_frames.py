"""The explorer and the player as they sit in the lesson (``/``): frames that fit, links that
stay in the lesson, readable numbers, a keyboard-usable output and no serious axe findings.

Measured in a real Chromium on the real learning page (its iframes), at the seed's desktop
sizes (720 x 800 and 1366 x 768) and a phone (390 x 844).
"""

from __future__ import annotations

import re

import pytest

import convolab as cl
from convolab.web.routes.player import DEFAULTS

ESSENTIAL = {
    "explorer": [
        "#input-canvas",
        "#gallery",
        "#filter",
        "#kernel-grid",
        "#output-canvas",
        "#steps-link",
        "#border",
        "#mapping",
        "#ex-more > summary",
    ],
    "player": [
        "#pl-play",
        "#pl-scrub",
        "#pl-input",
        "#pl-output",
        "#pl-kernel-given",
        "#pl-products",
        "#pl-sum",
        "#pl-value",
        "#pl-mapping-explain",
    ],
}
NUMBER = re.compile(r"^[-−]?\d+([.,]\d+)?$|^\d+/\d+$|^×-?\d")


def lesson(page, lang: str, size: tuple[int, int]):
    """Open the lesson and wait until both tools in it have drawn their first result."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/" if lang == "nl" else "/en")
    frames = page.locator(".lo-body iframe")
    assert frames.count() == 2
    for i in range(2):
        frames.nth(i).scroll_into_view_if_needed()
    explorer = page.frame_locator(".lo-body iframe >> nth=0")
    player = page.frame_locator(".lo-body iframe >> nth=1")
    explorer.locator("#explorer[data-state=done]").wait_for()
    player.locator("#pl-stage[aria-busy=false]").wait_for()
    inner = {
        "explorer": next(
            f for f in page.frames if "/convolutie?" in f.url or "/convolution?" in f.url
        ),
        "player": next(f for f in page.frames if "stappen" in f.url or "steps" in f.url),
    }
    return inner


def frame_box(page, index: int) -> dict:
    return page.locator(".lo-body iframe").nth(index).bounding_box()


def small_numbers(frame) -> dict:
    """How many numbers the frame shows and which of them are drawn under 12 px."""
    return frame.evaluate(
        """(pattern) => {
            const re = new RegExp(pattern);
            const out = [];
            let n = 0;
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
              const text = walk.currentNode.textContent.trim();
              const el = walk.currentNode.parentElement;
              if (!text || !re.test(text) || !el.getClientRects().length) continue;
              const style = getComputedStyle(el);
              if (style.visibility === "hidden" || el.closest("[hidden], details:not([open]) > :not(summary)")) continue;
              if (el.closest(".visually-hidden")) continue;
              n += 1;
              const px = parseFloat(style.fontSize);
              if (px < 12) out.push(`${text} (${px}px, ${el.className || el.tagName})`);
            }
            for (const el of document.querySelectorAll("input")) {
              if (!re.test(el.value.trim()) || !el.getClientRects().length) continue;
              n += 1;
              const px = parseFloat(getComputedStyle(el).fontSize);
              if (px < 12) out.push(`input ${el.value} (${px}px, ${el.id || el.className})`);
            }
            return {n, out};
        }""",
        NUMBER.pattern,
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("size", [(720, 800), (1366, 768), (390, 844)])
def test_the_tools_fit_their_frames(page, screenshot, lang, size):
    inner = lesson(page, lang, size)
    if size == (1366, 768):
        screenshot(page.locator(".lo-body iframe").first, f"explorer-embed-{lang}")
    for index, name in enumerate(("explorer", "player")):
        frame = inner[name]
        box = frame_box(page, index)
        sizes = frame.evaluate(
            "() => { const d = document.documentElement;"
            " return {sh: d.scrollHeight, ch: d.clientHeight, sw: d.scrollWidth, cw: d.clientWidth}; }"
        )
        # nothing to scroll inside the frame, in either direction
        assert sizes["sh"] <= sizes["ch"] + 1, (name, size, sizes)
        assert sizes["sw"] <= sizes["cw"] + 1, (name, size, sizes)
        if size[0] >= 1000:
            # where there is room the frame keeps the seed's 720 x 800
            assert round(box["width"]) == 720 and round(box["height"]) == 800, (name, box)
        # the essential parts lie inside the frame's visible area
        for selector in ESSENTIAL[name]:
            el = frame.locator(selector).first
            assert el.is_visible(), (name, selector)
            b = el.bounding_box()  # relative to the main page's viewport
            assert b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1, (
                name,
                selector,
                b,
                box,
            )
            assert (
                b["y"] >= box["y"] - 1 and b["y"] + b["height"] <= box["y"] + box["height"] + 1
            ), (name, selector, b, box)
        # every visible select shows its options whole (its text is not cut at the arrow)
        cut = frame.evaluate(CUT_SELECTS)
        assert not cut, (name, size, cut)
    # the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


#: Visible selects whose longest option is wider than the room for text (the width less the
#: padding and the arrow, about 1.2 em): Chromium draws such an option cut off.
CUT_SELECTS = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  const out = [];
  for (const sel of document.querySelectorAll("select")) {
    if (!sel.checkVisibility()) continue; // e.g. inside a closed <details>
    const cs = getComputedStyle(sel);
    ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const text = Math.max(...[...sel.options].map((o) => ctx.measureText(o.text).width));
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
      - 1.2 * parseFloat(cs.fontSize);
    if (text > room + 1) out.push({id: sel.id, text: Math.round(text), room: Math.round(room)});
  }
  return out;
}"""


def test_links_inside_the_frames_stay_in_the_lesson_or_say_new_tab(page):
    inner = lesson(page, "nl", (1366, 768))
    for name, frame in inner.items():
        links = frame.evaluate(
            "() => [...document.querySelectorAll('a[href]')].map(a => ({href: a.getAttribute('href'),"
            " target: a.target, text: a.textContent.trim(), hidden: !a.offsetParent && !a.closest('details')}))"
        )
        assert links, name
        for a in links:
            if a["href"].startswith(("#", "blob:", "data:")) or a["href"] == "":
                continue  # the download of the output, in-page anchors
            if a["target"] == "_blank":
                assert "nieuw tabblad" in a["text"], (name, a)
            else:
                assert "embed=1" in a["href"], (name, a)
    # following "Bekijk pixel ... stap voor stap" keeps the compact layout inside the frame
    explorer = page.frame_locator(".lo-body iframe >> nth=0")
    explorer.locator("#steps-link").click()
    explorer.locator("#pl-stage[aria-busy=false]").wait_for()
    frame = next(f for f in page.frames if "stappen" in f.url and f != inner["player"])
    assert "embed=1" in frame.url
    assert frame.locator(".site-header").count() == 0
    assert frame.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_numbers_are_at_least_12_px_at_720_wide(page, lang):
    inner = lesson(page, lang, (720, 800))
    for name, frame in inner.items():
        small = small_numbers(frame)
        # the numbers were found: the filter's cells (explorer), the grids' cells (player)
        assert small["n"] >= (9 if name == "explorer" else 100), (name, small)
        assert not small["out"], (name, small["out"][:20])


def test_the_output_canvas_chooses_a_pixel_with_the_keyboard(page):
    page.goto("/convolutie?sample=camera&filter=edge")
    page.locator("#explorer[data-state=done]").wait_for()
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "output-canvas":
            break
    else:
        raise AssertionError("the output canvas is not reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    h, w = cl.sample("camera").shape
    status = page.locator("#pixel-status")
    assert status.get_attribute("aria-live") == "polite"
    page.keyboard.press("ArrowRight")
    start = (h // 2, w // 2 + 1)
    assert status.inner_text() == f"Gekozen pixel: rij {start[0]}, kolom {start[1]}."
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("ArrowLeft")
    row, col = start[0] + 10, start[1] - 1
    assert status.inner_text() == f"Gekozen pixel: rij {row}, kolom {col}."
    assert page.locator("#steps-link").inner_text() == f"Bekijk pixel ({row}, {col}) stap voor stap"
    for _ in range(60):
        page.keyboard.press("Shift+ArrowUp")
    assert status.inner_text().startswith("Gekozen pixel: rij 0,")
    page.keyboard.press("End")  # other keys do nothing on the canvas
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # opens the player on that pixel
    page.wait_for_url("**/convolutie/stappen?**")
    page.locator("#pl-stage[aria-busy=false]").wait_for()
    current = page.locator("#pl-output .pl-out.current")
    assert (current.get_attribute("data-r"), current.get_attribute("data-c")) == ("1", str(col))


def test_axe_on_the_lesson_explorer_and_player_loaded_and_after_use(page, axe_check):
    lesson(page, "nl", (1366, 768))
    axe_check(page, "lesson loaded")
    explorer = page.frame_locator(".lo-body iframe >> nth=0")
    explorer.locator("#filter").select_option("sobel-x")
    explorer.locator('input[name="mode"][value="convolve"]').check()
    explorer.locator("#ex-more > summary").click()
    explorer.locator("#explorer[data-state=done]").wait_for()
    player = page.frame_locator(".lo-body iframe >> nth=1")
    player.locator("#pl-forward").click()
    player.locator("#pl-options > summary").click()
    axe_check(page, "lesson after use")

    page.goto("/convolutie?sample=chelsea&filter=emboss&mode=convolve")
    page.locator("#explorer[data-state=done]").wait_for()
    axe_check(page, "explorer loaded")
    page.locator("#output-canvas").click()
    page.locator("#code-panel > summary").click()
    page.locator('input[name="view"][value="slider"]').check()
    axe_check(page, "explorer after use")

    page.goto(
        f"/convolutie/stappen?sample=chelsea&colour=1&filter=sobel-x&mode=convolve&row=0&col={DEFAULTS['col']}"
    )
    page.locator("#pl-stage[aria-busy=false]").wait_for()
    axe_check(page, "player loaded")
    page.locator("#pl-ch-green").check()
    page.locator("#pl-last").click()
    page.locator("#pl-options > summary").click()
    page.locator("#pl-source-grid").check()
    page.locator("#pl-stage[aria-busy=false]").wait_for()
    axe_check(page, "player after use")


def _kernel(n: int) -> str:
    """An n x n filter in the explorer's URL form, with negative and two-digit numbers."""
    return ";".join(" ".join(str((3 * i + 5 * j) % 23 - 11) for j in range(n)) for i in range(n))


#: The heavier states of the tools: (frame, query, essential parts in addition to the usual).
HEAVY = {
    "player-colour-convolve": (
        "player",
        "sample=chelsea&colour=1&filter=sobel-x&mode=convolve",
        ["#pl-kernel-applied", "#pl-ch-green", "#pl-colour-line", "#pl-turned"],
    ),
    "explorer-7x7": ("explorer", f"k={_kernel(7)}", []),
    "explorer-15x15-convolve": (
        "explorer",
        f"sample=camera&mode=convolve&k={_kernel(15)}",
        ["#turned-about"],
    ),
    "explorer-square-convolve": (
        "explorer",
        "sample=camera&mode=convolve",
        ["#turned-grid", "#turned-about"],
    ),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("state", list(HEAVY))
def test_heavy_states_fit_their_frames_at_720x800(page, axe_check, screenshot, lang, state):
    """A colour photo in convolution mode (player), 7 x 7 and 15 x 15 filters and a square photo
    in convolution mode (explorer): still no scrolling inside the 720 x 800 frame, the parts
    that matter inside it, numbers of 12 px or more and no serious axe findings."""
    name, query, extra = HEAVY[state]
    inner = lesson(page, lang, (1366, 768))  # where the frames keep the seed's 720 x 800
    index = 0 if name == "explorer" else 1
    frame = inner[name]
    frame.goto(f"{frame.url.split('?')[0]}?embed=1&{query}")
    if name == "explorer":
        frame.locator("#explorer[data-state=done]").wait_for()
        side = 15 if "15x15" in state else 7 if "7x7" in state else 3
        assert frame.locator("#kernel-grid input").count() == side * side
    else:
        frame.locator("#pl-stage[aria-busy=false]").wait_for()
        assert frame.locator("#pl-applied-fig").is_visible()
    box = frame_box(page, index)
    assert round(box["width"]) == 720 and round(box["height"]) == 800, box
    sizes = frame.evaluate(
        "() => { const d = document.documentElement;"
        " return {sh: d.scrollHeight, ch: d.clientHeight, sw: d.scrollWidth, cw: d.clientWidth}; }"
    )
    assert sizes["sh"] <= sizes["ch"] + 1, (state, sizes)
    assert sizes["sw"] <= sizes["cw"] + 1, (state, sizes)
    selectors = [s for s in ESSENTIAL[name] if s not in ("#steps-link", "#kernel-grid")]
    selectors += [".kernel-scroll"] if name == "explorer" else []
    for selector in selectors + extra:
        el = frame.locator(selector).first
        assert el.is_visible(), (state, selector)
        b = el.bounding_box()
        assert b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1, (
            state,
            selector,
            b,
        )
        assert b["y"] >= box["y"] - 1 and b["y"] + b["height"] <= box["y"] + box["height"] + 1, (
            state,
            selector,
            b,
        )
    if name == "explorer":
        # a large filter may scroll sideways inside its grid, never up and down
        scroll = frame.evaluate(
            "() => { const s = document.querySelector('.kernel-scroll');"
            " return {sh: s.scrollHeight, ch: s.clientHeight}; }"
        )
        assert scroll["sh"] <= scroll["ch"] + 1, (state, scroll)
    small = small_numbers(frame)
    assert small["n"] >= (9 if name == "explorer" else 100), (state, small)
    assert not small["out"], (state, small["out"][:20])
    cut = frame.evaluate(CUT_SELECTS)  # every visible select shows its options whole
    assert not cut, (state, cut)
    if lang == "nl":
        screenshot(page.locator(".lo-body iframe").nth(index), f"frame-{state}")
    axe_check(page, f"{state} ({lang})")


WHOLE_NUMBERS = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length)
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.value ?? el.textContent} (${el.clientWidth}px)`)"""


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("filter_id", ["gaussian-5", "box-5"])
@pytest.mark.parametrize("embed", [True, False])
def test_long_filter_numbers_are_shown_whole(page, axe_check, lang, filter_id, embed):
    """A filter of long numbers (the Gaussian's 0.002969, 1/25) shows every number whole in
    the explorer's grid and in the player's filter and products, in the 720 x 800 frame and
    on a phone, with the decimal comma of a Dutch page: the grid scrolls sideways inside its
    box if it must, the page never does."""
    width, height = (720, 800) if embed else (390, 844)
    page.set_viewport_size({"width": width, "height": height})
    query = f"filter={filter_id}&sample=astronaut" + ("&embed=1" if embed else "")
    page.goto(f"/convolutie?{query}" if lang == "nl" else f"/en/convolution?{query}")
    page.locator("#explorer[data-state=done]").wait_for()
    comma = (lambda c: c.replace(".", ",")) if lang == "nl" else (lambda c: c)
    want = {comma(c) for row in cl.kernel(filter_id).cells() for c in row}
    inputs = page.locator("#kernel-grid input")
    assert inputs.count() == 25
    assert {inputs.nth(i).input_value() for i in range(25)} == want
    assert page.evaluate(WHOLE_NUMBERS, "#kernel-grid input") == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    axe_check(page, f"explorer {filter_id} ({lang})")
    page.locator("#steps-link").click()
    page.locator("#pl-stage[aria-busy=false]").wait_for()
    cells = page.locator("#pl-kernel-given .pl-cell")
    assert cells.count() == 25
    assert set(cells.all_text_contents()) == want  # the numbers the explorer shows
    products = "[...document.querySelectorAll('#pl-products .k')].map((e) => e.textContent)"
    assert set(page.evaluate(products)) == want
    assert page.evaluate(WHOLE_NUMBERS, "#pl-kernel-given .pl-cell") == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    axe_check(page, f"player {filter_id} ({lang})")
