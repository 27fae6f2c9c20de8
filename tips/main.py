"""What gunicorn (and uvicorn) load: ``tips.main:app``."""

from tips import create_app

app = create_app()
