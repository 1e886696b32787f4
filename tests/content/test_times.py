"""Honest times: the lesson plan adds up, and every estimated time covers its reading and its
activities (the rule in docs/content.md)."""

from __future__ import annotations

import re

import pytest

from convolab import content
from convolab.content.render import OBJECT_LINK_RE

NOTES = "convolab-convolutie-lesnotities"
PLAN_HEADING = {"nl": r"## Verloop \((\d+) minuten\)", "en": r"## Lesson plan \((\d+) minutes\)"}
NOTEBOOK_TIME = {
    "nl": r"\*\*Tijd\*\*: ongeveer (\d+) minuten",
    "en": r"\*\*Time\*\*: about (\d+) minutes",
}
READING_WPM = 150  # words per minute a pupil of 14 reads instructional text at
MINUTES_PER_TOOL = 5  # an embedded tool with its question (explorer, player)


def words(body: str) -> int:
    text = re.sub(r"<[^>]+>", " ", body)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not read
    return len(re.findall(r"\w+", text))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_lesson_plan_adds_up(lang):
    lib = content.library()
    notes = lib.get(NOTES, lang).body
    total = int(re.search(PLAN_HEADING[lang], notes).group(1))
    plan = notes[notes.index(re.search(PLAN_HEADING[lang], notes).group(0)) :].split("\n## ")[0]
    steps = re.findall(r"^\d+\. \[[^\]]+\]\((@[^)]+)\)[^\n]*\((\d+) min\)", plan, re.M)
    assert len(steps) >= 3
    for link, minutes in steps:
        hruid, link_lang, version = OBJECT_LINK_RE.match(link).groups()
        obj = lib.get(hruid, link_lang, version)
        assert obj is not None and link_lang == lang, link
        assert obj.estimated_time == int(minutes), (hruid, obj.estimated_time, minutes)
    assert sum(int(m) for _, m in steps) == total


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_plan_gives_the_notebooks_own_time(lang):
    import nbformat

    from convolab.content.notebook import notebook_path

    nb = nbformat.read(str(notebook_path(lang)), as_version=4)
    stated = int(re.search(NOTEBOOK_TIME[lang], nb.cells[0].source).group(1))
    notes = content.library().get(NOTES, lang).body
    assert f"({stated} min" in notes


def test_every_time_covers_reading_and_activities():
    for obj in content.library().objects:
        reading = words(obj.body) / READING_WPM
        tools = obj.body.count("<iframe") * MINUTES_PER_TOOL
        assert obj.estimated_time >= reading + tools, (obj.hruid, obj.language, reading, tools)
