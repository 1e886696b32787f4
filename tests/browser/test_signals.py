"""The signals page in a real Chromium against a real server."""

import base64

import numpy as np
import pytest

from convolab import signals as sg

# count pixels of the two line colours on the chart (the signal blue, the result orange)
COUNT_COLOURS = """() => {
  const c = document.getElementById('sg-chart');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let blue = 0, orange = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
    if (Math.abs(r - 0x3f) < 40 && Math.abs(g - 0x6f) < 40 && Math.abs(b - 0xb0) < 40) blue++;
    if (Math.abs(r - 0xc7) < 40 && Math.abs(g - 0x50) < 40 && b < 60) orange++;
  }
  return {blue, orange};
}"""


def wait_ready(page):
    page.wait_for_function(
        "() => document.getElementById('sg-chart').getAttribute('aria-busy') === 'false'"
        " && document.getElementById('sg-step-status').textContent.length > 0"
    )


def test_ecg_plot_beats_and_player(page, screenshot):
    page.goto("/convolutie/signalen")
    wait_ready(page)
    colours = page.evaluate(COUNT_COLOURS)
    assert colours["blue"] > 500 and colours["orange"] > 500
    assert page.locator("#sg-chart").get_attribute("data-samples") == "108000"
    beats = sg.detect_beats(sg.signal("ecg"))
    bpm = page.locator("#sg-bpm").inner_text()
    assert str(beats.peaks.size) in bpm and f"{beats.bpm:.1f}".replace(".", ",") in bpm
    assert "per minuut" in page.locator("#sg-bpm-view").inner_text()
    screenshot(page, "signals-ecg")

    # the step player: forward moves the window, the sum is the result at that place
    status0 = page.locator("#sg-step-status").inner_text()
    at0 = int(page.locator("#sg-at").input_value())
    page.click("#sg-forward")
    page.wait_for_function(f"() => document.getElementById('sg-at').value !== '{at0}'")
    page.wait_for_function(
        f"() => document.getElementById('sg-step-status').textContent !== {status0!r}"
    )
    at1 = int(page.locator("#sg-at").input_value())
    assert at1 > at0
    cells = page.locator("#sg-strip tr").nth(2).locator("td").all_inner_texts()
    assert len(cells) == 9  # a moving average of 9: nine products
    want = sg.correlate1d(sg.signal("ecg"), sg.moving_average(9))[at1]
    expr = page.locator("#sg-sum-expr").inner_text()
    shown = float(expr.rsplit("=", 1)[1].strip().replace(",", ".").replace("−", "-"))
    assert shown == pytest.approx(want, rel=1e-3, abs=1e-4)

    # play: the position advances by itself, pause stops it
    page.click("#sg-play")
    page.wait_for_function(f"() => Number(document.getElementById('sg-at').value) > {at1 + 2}")
    page.click("#sg-play")
    assert page.locator("#sg-play").get_attribute("aria-pressed") == "false"


def test_zoom_and_pan_redraw_without_new_requests(page):
    page.goto("/convolutie/signalen?from=0&to=107999")
    wait_ready(page)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    chart = page.locator("#sg-chart")
    chart.focus()
    view0 = chart.get_attribute("data-view")
    ms = page.evaluate(
        """async () => {
          const c = document.getElementById('sg-chart');
          const frame = () => new Promise(r => requestAnimationFrame(() => r()));
          const t0 = performance.now();
          for (let i = 0; i < 12; i++) {
            c.dispatchEvent(new KeyboardEvent('keydown', {key: i < 8 ? '+' : 'ArrowRight',
                                                          bubbles: true}));
            await frame(); await frame();
          }
          return (performance.now() - t0) / 12;
        }"""
    )
    view1 = chart.get_attribute("data-view")
    assert view1 != view0
    a, b = map(int, view1.split(","))
    assert b - a < 108000 * 0.8**7  # zoomed in 8 times
    assert not [u for u in requests if "/api/" in u]  # all done in the browser
    assert ms < 250  # each zoom step redraws 108,000 samples quickly (generous: shared CPU)
    assert "from=" in page.url and "to=" in page.url  # the view is in the URL


def test_speech_audio_plays_the_filtered_sound(page, screenshot):
    page.goto("/convolutie/signalen?signal=speech&kernel=difference")
    wait_ready(page)
    assert page.locator("#sg-audio").is_visible()
    result = page.evaluate(
        """async () => {
          const roughness = async (el) => {
            const buf = await (await fetch(el.src)).arrayBuffer();
            const ctx = new OfflineAudioContext(1, 16000, 16000);
            const x = (await ctx.decodeAudioData(buf)).getChannelData(0);
            let d = 0, s = 0;
            for (let i = 1; i < x.length; i++) { d += Math.abs(x[i] - x[i-1]); s += Math.abs(x[i]); }
            return d / s;
          };
          const orig = document.getElementById('sg-audio-original');
          const filt = document.getElementById('sg-audio-filtered');
          await filt.play();
          await new Promise(r => setTimeout(r, 600));
          const playing = {t: filt.currentTime, paused: filt.paused, duration: filt.duration};
          filt.pause();
          return {playing, orig: await roughness(orig), filt: await roughness(filt),
                  src: filt.currentSrc};
        }"""
    )
    assert result["playing"]["t"] > 0.1 and not result["playing"]["paused"]
    assert result["playing"]["duration"] == pytest.approx(4.0, abs=0.05)
    assert "which=filtered" in result["src"] and "kernel=difference" in result["src"]
    assert result["filt"] > 2 * result["orig"]  # a difference kernel makes the sound thin
    screenshot(page, "signals-speech")


def test_prices_lag_and_english(page, screenshot):
    page.goto("/en/convolution/signals?signal=price-aapl&n=12&causal=1&border=replicate")
    wait_ready(page)
    text = page.locator("#sg-lag-text").inner_text()
    assert "5.5 months" in text
    screenshot(page, "signals-prices")
    # switch to the temperature by the select: presets for a sensor
    page.select_option("#sg-signal", "temperature")
    page.wait_for_function("() => document.getElementById('sg-chart').dataset.samples === '8759'")
    assert page.locator("#sg-n").input_value() == "24"
    assert "signal=temperature" in page.url


def test_result_equals_the_library_after_changing_the_kernel(page):
    page.goto("/convolutie/signalen?signal=price-ibm")
    wait_ready(page)
    page.select_option("#sg-kernel", "second-difference")
    page.wait_for_function(
        "() => document.getElementById('sg-strip').querySelectorAll('tr')[1]?.children.length === 4"
    )
    body = page.evaluate(
        "async () => (await fetch('/api/signals/filter' + "
        "'?signal=price-ibm&kernel=second-difference')).json()"
    )
    got = np.frombuffer(base64.b64decode(body["result"]["values_f32"]), dtype="<f4")
    want = sg.correlate1d(sg.signal("price-ibm"), [1, -2, 1])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    assert "kernel=second-difference" in page.url


def test_bad_input_shows_a_message_and_the_page_recovers(page, page_errors):
    page_errors.allow(r"status of 400")
    page.goto("/convolutie/signalen?signal=price-goog&kernel=moving-average&n=100&padding=valid")
    msg = page.locator("#sg-message")
    msg.wait_for(state="visible")
    assert "langer" in msg.inner_text() or "68" in msg.inner_text()
    page.fill("#sg-n", "6")
    page.wait_for_function("() => document.getElementById('sg-message').textContent === ''")
    wait_ready(page)
