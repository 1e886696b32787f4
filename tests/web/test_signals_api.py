"""The signals API: results equal the library's, errors come in the one JSON shape."""

import base64

import numpy as np
import pytest

from convolab import signals as sg

FILTER = "/api/signals/filter"


def f32(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def test_catalogue(client):
    r = client.get("/api/signals")
    assert r.status_code == 200
    body = r.json()
    assert {s["id"] for s in body["signals"]} >= {"ecg", "speech", "temperature", "price-aapl"}
    assert "moving-average" in {k["id"] for k in body["kernels"]}


def test_values_are_the_shipped_signal(client):
    body = client.get("/api/signals/values?signal=temperature").json()
    x = sg.signal("temperature")
    np.testing.assert_allclose(f32(body["values_f32"]), x.values, rtol=1e-6)
    assert len(body["dates_ms"]) == x.values.size
    assert body["signal"]["unit"] == "°C"


@pytest.mark.parametrize(
    "query, call",
    [
        ("signal=ecg&kernel=moving-average&n=9", lambda x: sg.correlate1d(x, sg.moving_average(9))),
        (
            "signal=ecg&kernel=gaussian&size=31&sigma=4&border=reflect",
            lambda x: sg.correlate1d(x, sg.gaussian1d(31, 4.0), border="reflect"),
        ),
        (
            "signal=speech&kernel=difference&mode=convolve&padding=valid&stride=2",
            lambda x: sg.convolve1d(x, [-1, 1], padding="valid", stride=2),
        ),
        (
            "signal=temperature&kernel=step&m=12&padding=full&dilation=2&border=wrap",
            lambda x: sg.correlate1d(x, sg.step(12), padding="full", dilation=2, border="wrap"),
        ),
        (
            "signal=price-ibm&kernel=moving-average&n=12&causal=true&border=replicate",
            lambda x: sg.trailing1d(x, sg.moving_average(12), border="replicate"),
        ),
        (
            "signal=price-msft&kernel=custom&taps=1/4 1/2 1/4&padding=3",
            lambda x: sg.correlate1d(x, [0.25, 0.5, 0.25], padding=3),
        ),
    ],
)
def test_filter_equals_the_library(client, query, call):
    r = client.get(f"{FILTER}?{query}")
    assert r.status_code == 200, r.text
    body = r.json()
    x = sg.signal(body["signal"]["id"])
    want = call(x.values)
    got = f32(body["result"]["values_f32"])
    assert body["result"]["length"] == want.size == got.size
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * np.abs(want).max())


def test_result_positions_on_the_time_axis(client):
    body = client.get(
        f"{FILTER}?signal=ecg&kernel=moving-average&n=5&padding=valid&stride=3"
    ).json()
    # output 0 of a valid 5-tap window is centred on sample 2; then every 3rd sample
    assert (body["result"]["first"], body["result"]["step"]) == (2, 3)
    body = client.get(f"{FILTER}?signal=ecg&kernel=moving-average&n=5&padding=full").json()
    assert body["result"]["first"] == -2


def test_ecg_answer_has_the_beats_and_the_stages(client):
    body = client.get(f"{FILTER}?signal=ecg&stage=window").json()
    beats = sg.detect_beats(sg.signal("ecg"))
    assert body["beats"]["peaks"] == beats.peaks.tolist()
    assert body["beats"]["bpm"] == pytest.approx(beats.bpm, abs=0.05)
    np.testing.assert_allclose(f32(body["result"]["values_f32"]), beats.window, rtol=1e-5)
    np.testing.assert_allclose(f32(body["result"]["threshold_f32"]), beats.threshold, rtol=1e-5)
    assert client.get(f"{FILTER}?signal=speech").json()["beats"] is None


def test_lag_of_a_trailing_average(client):
    body = client.get(f"{FILTER}?signal=price-aapl&kernel=moving-average&n=12&causal=true").json()
    assert body["lag"] == pytest.approx(5.5)
    assert client.get(f"{FILTER}?signal=price-aapl&n=12").json()["lag"] is None


def test_explain_matches_the_result(client):
    q = "signal=ecg&kernel=gaussian&size=45&sigma=6&border=symmetric&stride=2"
    res = f32(client.get(f"{FILTER}?{q}").json()["result"]["values_f32"])
    body = client.get(f"/api/signals/explain?{q}&at=1000&count=5").json()
    assert body["out_len"] == res.size
    assert [s["at"] for s in body["steps"]] == list(range(1000, 1005))
    for s in body["steps"]:
        assert s["sum"] == pytest.approx(res[s["at"]], rel=1e-5)
        assert s["sum"] == pytest.approx(sum(s["products"]))
        assert len(s["window"]) == 45


def test_explain_causal_uses_only_the_past(client):
    q = "signal=price-aapl&kernel=moving-average&n=12&causal=true&border=replicate"
    res = f32(client.get(f"{FILTER}?{q}").json()["result"]["values_f32"])
    s = client.get(f"/api/signals/explain?{q}&at=50").json()["steps"][0]
    assert s["positions"] == list(range(39, 51))
    assert s["sum"] == pytest.approx(res[50], rel=1e-5)


def test_audio_original_and_filtered(client):
    orig = client.get("/api/signals/audio.wav?signal=speech&which=original")
    filt = client.get("/api/signals/audio.wav?signal=speech&kernel=moving-average&n=15")
    for r in (orig, filt):
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    a, rate_a = sg.read_wav(orig.content)
    b, rate_b = sg.read_wav(filt.content)
    assert rate_a == rate_b == 16000 and a.size == b.size == 64000

    def high_share(x):
        spec = np.abs(np.fft.rfft(x)) ** 2
        return spec[np.fft.rfftfreq(x.size, 1 / 16000) > 3000].sum() / spec.sum()

    assert high_share(b) < high_share(a) / 10


@pytest.mark.parametrize(
    "url, status, code, words",
    [
        (f"{FILTER}?signal=ekg", 400, "unknown_signal", "ecg"),
        (f"{FILTER}?kernel=gausian", 400, "unknown_signal_kernel", "gaussian"),
        (f"{FILTER}?kernel=moving-average&n=0", 400, "out_of_range", "n"),
        (f"{FILTER}?kernel=moving-average&n=abc", 422, "invalid_request", "n"),
        (f"{FILTER}?kernel=custom", 400, "invalid_taps", ""),
        (f"{FILTER}?kernel=custom&taps=1 x 1", 400, "cell_not_a_number", "x"),
        (f"{FILTER}?kernel=custom&taps=1 2; 3 4", 400, "taps_ndim", ""),
        (f"{FILTER}?kernel=custom&taps=nan 1", 400, "cell_not_a_number", "nan"),
        (f"{FILTER}?padding=middle", 400, "unknown_choice", "middle"),
        (f"{FILTER}?border=mirror", 400, "unknown_choice", "mirror"),
        (f"{FILTER}?stride=0", 400, "out_of_range", "stride"),
        (f"{FILTER}?signal=speech&stage=window", 400, "invalid_stage", ""),
        (
            f"{FILTER}?signal=price-goog&kernel=moving-average&n=100&padding=valid",
            400,
            "signal_kernel_too_long",
            "68",
        ),
        (
            f"{FILTER}?signal=price-aapl&kernel=template&start=0&length=500",
            400,
            "out_of_range",
            "length",
        ),
        ("/api/signals/explain?at=999999", 400, "out_of_range", "at"),
        ("/api/signals/explain?count=1000", 400, "out_of_range", "count"),
        ("/api/signals/explain?stage=window", 400, "invalid_stage", ""),
        ("/api/signals/audio.wav?signal=ecg", 400, "not_audio", "ecg"),
        (f"{FILTER}?causal=true&stride=2", 400, "invalid_causal", "1"),
        (f"{FILTER}?causal=true&mode=convolve", 400, "invalid_causal", ""),
        ("/api/signals/values?signal=nope", 400, "unknown_signal", "nope"),
    ],
)
def test_bad_requests_give_clear_errors(client, url, status, code, words):
    for lang in ("nl", "en"):
        r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert r.status_code == status, r.text
        body = r.json()
        assert body["ok"] is False and body["status"] == status and body["code"] == code
        assert words in body["error"]
    nl = client.get(url + "&lang=nl").json()["error"]
    en = client.get(url + "&lang=en").json()["error"]
    if code != "invalid_request":
        assert nl != en  # really translated


def test_flat_template_is_refused(client):
    x = sg.signal("ecg").values
    flat = int(np.flatnonzero(np.diff(x) == 0)[0])  # two equal samples in a row
    r = client.get(f"{FILTER}?signal=ecg&kernel=template&start={flat}&length=2&lang=en")
    assert r.status_code == 400 and r.json()["code"] == "flat_template"
    ok = client.get(f"{FILTER}?signal=ecg&kernel=template&start={flat}&length=20")
    assert ok.status_code == 200


def test_pages_in_both_languages(client):
    nl = client.get("/convolutie/signalen")
    en = client.get("/en/convolution/signals")
    assert nl.status_code == en.status_code == 200
    assert "Convoluties op signalen" in nl.text and "Convolutions on signals" in en.text
    assert 'id="i18n-signals"' in nl.text and "/static/signals/signals.js" in nl.text
    assert client.get("/static/signals/signals.js").status_code == 200
    assert client.get("/static/signals/chart.js").status_code == 200


def test_server_keeps_serving_after_bad_input(client):
    for url in (f"{FILTER}?signal=%00", f"{FILTER}?stride=-5", f"{FILTER}?dilation=1e9"):
        assert 400 <= client.get(url).status_code < 500
    assert client.get(f"{FILTER}?signal=ecg").status_code == 200
