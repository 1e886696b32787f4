"""Route modules: every module here with a ``router`` is included by ``create_app()``."""
