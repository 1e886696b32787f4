"""The "when do convolutions help" page: both experiments run from the page, for real."""

import re


def percent(text: str) -> float:
    return float(text.replace("%", "").replace(",", ".").strip()) / 100


def test_both_experiments_from_the_page(page, screenshot):
    page.goto("/convolutie/wanneer?train=3000&test=1000&epochs=2&folds=3&table_epochs=60")
    page.click("#wh-images-run")
    assert page.locator("#wh-images-run").is_disabled()
    page.wait_for_selector("#wh-images[data-measured='1']", timeout=120_000)
    page.click("#wh-table-run")
    page.wait_for_selector("#wh-table[data-measured='1']", timeout=120_000)

    # the table of numbers: CNN ahead on photos as they are, not on shuffled ones
    rows = page.locator("#wh-images-table tr")
    cnn = [percent(t) for t in rows.nth(1).locator("td").all_inner_texts()[1:]]
    dense = [percent(t) for t in rows.nth(2).locator("td").all_inner_texts()[1:]]
    assert cnn[0] - dense[0] > 0.02
    assert cnn[1] - dense[1] < cnn[0] - dense[0] - 0.02
    assert page.locator("#wh-images-chart rect").count() >= 4  # bars drawn
    assert page.locator("#wh-images-examples canvas").count() == 8
    assert (
        "Het voordeel van de convoluties verdwijnt"
        in page.locator("#wh-images-conclusion").inner_text()
    )

    rows = page.locator("#wh-table-table tr")
    assert rows.count() == 4
    values = {
        rows.nth(i).locator("th").inner_text(): [
            percent(re.split("±", t)[0]) for t in rows.nth(i).locator("td").all_inner_texts()[1:]
        ]
        for i in range(1, 4)
    }
    conv = values["1-D convolutie over de kolommen"]
    others = [v for k, v in values.items() if not k.startswith("1-D")]
    for order in (0, 1):
        assert conv[order] <= max(o[order] for o in others) + 0.015
    assert "Klaar" in page.locator("#wh-table-status").inner_text()
    screenshot(page, "when")


def test_english_page_and_budget_error(page, page_errors, screenshot):
    page_errors.allow(r"status of 400")
    page.goto("/en/convolution/when?folds=1")
    assert page.locator("h1").inner_text().startswith("When do convolutions help")
    page.click("#wh-table-run")
    err = page.locator("#wh-table-error")
    err.wait_for(state="visible")
    assert "folds" in err.inner_text() and "2" in err.inner_text()
    assert not page.locator("#wh-table-run").is_disabled()  # ready to try again
    screenshot(page, "when-en-error", full_page=False)
