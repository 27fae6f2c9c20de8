FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/nutrimapa-metrics
WORKDIR /srv/nutrimapa

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY gunicorn.conf.py ./
COPY app ./app
COPY training ./training
COPY assets ./assets
COPY geodata ./geodata
COPY data ./data
COPY models ./models

# instance/ (SQLite database, uploads, session key) and models/ (new versions) must be writable:
# mount volumes there in production (deploy/compose.yaml, deploy/k8s/). The same image runs the
# retraining worker: `celery -A app.worker worker --concurrency 1` (its /metrics on port 9540).
# A fixed numeric user, so Kubernetes' runAsNonRoot can check it and volume ownership is predictable.
RUN useradd --system --uid 10001 --home /srv/nutrimapa nutrimapa \
    && mkdir -p instance /tmp/nutrimapa-metrics \
    && chown -R 10001 instance models /tmp/nutrimapa-metrics
USER 10001
EXPOSE 8050 8060 9540 9541
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/api/v1/health', timeout=4)"]
# gunicorn.conf.py (read from the working directory) sets up Prometheus multiprocess mode.
CMD ["sh", "-c", "python -m app.cli db upgrade && exec gunicorn --bind 0.0.0.0:8050 --workers 2 --timeout 120 app.wsgi:server"]
