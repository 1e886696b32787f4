"""convolab's web app: FastAPI, Jinja2 templates, plain JavaScript modules.

``convolab.web.app.create_app()`` builds the app; ``convolab.web.app.serve()`` runs it.
See ``docs/conventions.md`` ("Web conventions") for how a feature plugs in.
"""
