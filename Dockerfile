FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/nutrimapa

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app ./app
COPY training ./training
COPY assets ./assets
COPY geodata ./geodata
COPY data ./data
COPY models ./models

# instance/ (SQLite database, uploads, session key) and models/ (new versions) must be writable:
# mount volumes there in production. With REDIS_URL set, run a retraining worker from the same
# image: `celery -A app.worker worker --concurrency 1`.
RUN useradd --system --home /srv/nutrimapa nutrimapa && mkdir -p instance && chown -R nutrimapa instance models
USER nutrimapa
EXPOSE 8050
CMD ["sh", "-c", "python -m app.cli db upgrade && exec gunicorn --bind 0.0.0.0:8050 --workers 2 --timeout 120 app.wsgi:server"]
