FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/nutrimapa

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app ./app
COPY assets ./assets
COPY geodata ./geodata
COPY data ./data

RUN useradd --system --home /srv/nutrimapa nutrimapa && mkdir -p instance && chown nutrimapa instance
USER nutrimapa
EXPOSE 8050
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--timeout", "120", "app.wsgi:server"]
