"""Shared test settings: the hypothesis profile (keeps the core suite under a minute).

Tests set ``max_examples`` times ``HYPOTHESIS_SCALE`` (an environment variable,
default 1); ``HYPOTHESIS_SCALE=20 pytest tests/test_engine.py`` hunts for bugs longer.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "convolab",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("convolab")
