"""The learning page in a real Chromium against a real server, in Dutch and English.

The seed's iframe shows convolab's filter explorer at 720x800, the step-by-step player sits
where the seed had "TODO: insert video", the notebook button opens a read-only notebook view,
and Dwengo's boxes have Dwengo's colours and symbols.
"""

from __future__ import annotations

import pytest

PAGES = {
    "nl": {
        "url": "/",
        "explorer": "/convolutie?embed=1",
        "player": "/convolutie/stappen?embed=1",
        "announce": "animatie",
        "overview": "/leren",
    },
    "en": {
        "url": "/en",
        "explorer": "/en/convolution?embed=1",
        "player": "/en/convolution/steps?embed=1",
        "announce": "animation",
        "overview": "/en/learn",
    },
}


def embedded(page, src: str):
    """The iframe with ``src``, scrolled into view, and its loaded frame."""
    frame_el = page.locator(f'iframe[src="{src}"]')
    frame_el.scroll_into_view_if_needed()
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_load_state("load")
    frame.locator("main#main").wait_for(state="visible")
    return frame_el, frame


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_learning_page(page, screenshot, lang):
    p = PAGES[lang]
    page.goto(p["url"])
    assert page.locator("html").get_attribute("lang") == lang

    explorer_el, explorer = embedded(page, p["explorer"])
    box = explorer_el.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (720, 800)
    assert explorer.url.endswith(p["explorer"])
    assert explorer.locator("body").get_attribute("class") == "embed"
    assert explorer.locator(".site-header").count() == 0
    assert explorer.locator("main#main").inner_text().strip(), "the explorer shows nothing"

    player_el, player = embedded(page, p["player"])
    box = player_el.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (720, 800)
    assert player.url.endswith(p["player"])
    # where the seed's video was: right after the paragraph that announces it
    before = player_el.evaluate("el => el.previousElementSibling.textContent")
    assert p["announce"] in before
    assert "TODO" not in page.locator("article").inner_text()

    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"learning-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_notebook_button_opens_a_readonly_view(page, lang):
    page.goto(PAGES[lang]["url"])
    link = page.locator(".lo-body a[aria-controls='notebook-view']")
    view = page.locator("#notebook-view")
    assert view.is_hidden()
    link.focus()
    page.keyboard.press("Enter")  # keyboard operable
    view.wait_for(state="visible")
    assert link.get_attribute("aria-expanded") == "true"
    page.locator("#notebook-view .nb-cell").first.wait_for()
    assert page.locator("#notebook-view .nb-cell.nb-code").count() >= 3
    assert page.evaluate("document.activeElement.id") == "notebook-view-title"
    download = page.locator("#notebook-view .notebook-download-link").get_attribute("href")
    assert download.startswith(f"/notebooks/{lang}/") and download.endswith(".ipynb")
    # the view opens right below the button, before the next section
    order = page.evaluate(
        """() => {
          const v = document.getElementById('notebook-view');
          const h = [...document.querySelectorAll('.lo-body h2')][1];
          const a = document.querySelector(".lo-body a[aria-controls='notebook-view']");
          return [a.compareDocumentPosition(v) & 4, v.compareDocumentPosition(h) & 4];
        }"""
    )
    assert order == [4, 4]
    page.locator("#notebook-view .notebook-close").click()
    assert view.is_hidden() and link.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "notebook-view"


def box_style(page, kind: str) -> dict:
    return page.evaluate(
        """(kind) => {
          const title = document.querySelector(`.dwengo-content.${kind} > .title`);
          const after = getComputedStyle(title, '::after');
          return {
            background: getComputedStyle(title).backgroundColor,
            border: getComputedStyle(title.parentElement).borderTopColor,
            mark: after.content,
            radius: after.borderTopLeftRadius,
          };
        }""",
        kind,
    )


def test_the_boxes_look_like_dwengo(page, screenshot):
    page.goto("/")
    side = box_style(page, "sideinfo")
    assert side["background"] == side["border"] == "rgb(14, 105, 66)"
    assert "bulb.svg" in side["mark"] and "💡" in side["mark"]  # a drawn bulb, 💡 as alt text
    bulb = page.evaluate("fetch('/static/learning/bulb.svg').then(r => r.status)")
    assert bulb == 200
    page.goto("/leren/convolab-convlaag-leert-filters")
    task = box_style(page, "assignment")
    assert task["background"] == task["border"] == "rgb(250, 182, 60)"
    assert task["mark"] == '"?"' and task["radius"] == "50%"
    important = box_style(page, "important")
    assert important["background"] == important["border"] == "rgb(208, 38, 37)"
    assert "⚠" in important["mark"]
    screenshot(page, "learning-object")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_path_overview_and_teacher_mode(page, screenshot, lang, page_errors, teacher_code):
    from convolab import content

    objs = [o for _, o in content.library().path_objects(content.PATH_HRUID, lang) if o.available]
    n_teacher = sum(o.teacher_exclusive for o in objs)
    n_pupil = len(objs) - n_teacher
    assert n_pupil >= 3 and n_teacher >= 1
    p = PAGES[lang]
    teacher_url = "/leraar" if lang == "nl" else "/en/teacher"
    page.goto(p["overview"])
    items = page.locator(".path-list > li")
    assert items.count() == n_pupil
    assert page.locator(".path-list .teacher-badge").count() == 0
    # a pupil sees no way into teacher mode
    assert page.locator("a[href*='leraar'], a[href*='teacher']").count() == 0
    if lang == "nl":
        screenshot(page, "learning-path")
    # teacher mode: the code once on the teacher page, remembered on the next pages
    page.goto(teacher_url)
    page_errors.allow(r"status of 403")
    page.fill("#teacher-code", "fout-code")
    page.locator(".teacher-login button").click()
    assert page.locator(".teacher-login .message.error").is_visible()
    page.fill("#teacher-code", teacher_code.lower())
    page.locator(".teacher-login button").click()
    page.wait_for_url(f"**{teacher_url}")
    assert page.locator(".teacher-page .teacher-bar").is_visible()
    if lang == "nl":
        screenshot(page, "teacher-page")
    page.goto(p["overview"])
    assert items.count() == len(objs)
    assert page.locator(".path-list .teacher-badge").count() == n_teacher
    page.goto(p["url"])
    assert page.locator(".teacher-bar").is_visible()
    page.goto(p["overview"])
    assert items.count() == len(objs)
    if lang == "nl":
        screenshot(page, "learning-path-teacher")
    # leaving: the bar leads to the teacher page, which turns teacher mode off
    page.locator(".teacher-bar a").click()
    page.wait_for_url(f"**{teacher_url}")
    page.locator(".teacher-off button").click()
    page.wait_for_url(f"**{teacher_url}")
    assert page.locator("#teacher-code").is_visible()
    page.goto(p["overview"])
    assert items.count() == n_pupil


@pytest.mark.parametrize(
    "lang, url, run_title",
    [("nl", "/leren/notebook", "Zelf uitvoeren"), ("en", "/en/learn/notebook", "Run it yourself")],
)
def test_the_notebook_page_shows_the_executed_notebook(page, lang, url, run_title):
    """The shipped notebook with its outputs and figures (built ahead, nothing runs), how to
    run it yourself, and no teacher version for pupils."""
    page.goto(url)
    figures = page.locator(".notebook-page img.nb-image")
    assert figures.count() >= 15
    first = figures.first
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.notebook-page img.nb-image')]"
        ".slice(0, 3).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator(".notebook-page .nb-output").count() > figures.count()
    run = page.locator(".notebook-run")
    assert run_title in run.inner_text() and "convolab notebook" in run.inner_text()
    assert page.locator(".notebook-teacher").count() == 0
    assert page.locator("a[href*='role=teacher']").count() == 0
