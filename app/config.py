"""One settings object for the whole app.

Every setting has an embedded default that works on a laptop with no services;
environment variables switch to real services (``REDIS_URL``, ``DATABASE_URL``,
``MQTT_URL``). Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BUNDLED_SURVEY = ROOT / "data" / "endes" / "endes_2015_2024_children_6_35m.csv"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :meth:`from_env` or override in tests."""

    geodata_dir: Path = ROOT / "geodata"
    models_dir: Path = ROOT / "models"
    instance_dir: Path = ROOT / "instance"
    survey_files: tuple[Path, ...] = (BUNDLED_SURVEY,)
    secret_key: str | None = None  # None: a random key kept in instance/secret_key (shared by all workers)
    redis_url: str | None = None
    database_url: str | None = None
    mqtt_url: str | None = None
    mqtt_ca_file: str | None = None  # mqtts://: CA bundle of the broker's certificate (None: the system's CAs)
    cache_timeout_s: int = 3600
    model_check_s: float = 1.0  # how often a worker rereads the active model version (admin database)
    default_language: str = "es"
    max_upload_mb: int = 200
    secure_cookies: bool = True  # browsers treat http://127.0.0.1 and localhost as secure origins
    login_limit: str = "5 per 15 minutes"  # failed logins per client address and per username
    session_hours: int = 8
    debug: bool = False
    testing: bool = False
    # /metrics: served only to these networks (CIDR, comma-separated) or to a bearer token
    metrics_allow: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    metrics_token: str | None = None
    metrics_dir: Path | None = None  # PROMETHEUS_MULTIPROC_DIR: one file per worker, summed per scrape
    worker_metrics_port: int = 9540  # the Celery worker's own /metrics
    worker_metrics_addr: str = "127.0.0.1"  # 0.0.0.0 in a container, where Prometheus scrapes from outside
    drift_threshold: float = 0.25  # population stability index above which a feature has drifted
    # Tips service (tips/, its own process): keys for phone numbers at rest; None: random keys kept in
    # instance/tips_keys.json (shared by all workers). NUTRIMAPA_TIPS_PHONE_KEY is a Fernet key.
    tips_phone_key: str | None = None
    tips_hash_key: str | None = None
    tips_host: str = "127.0.0.1"
    tips_port: int = 8060
    tips_preview_limit: int = 60  # anonymous previews per minute and client address
    tips_max_body_bytes: int = 4096
    tips_skip_weeks: int = 2  # a category sent in the last N weeks is skipped
    # The tips service's own multiprocess folder (never the dashboard's: each gunicorn empties its own at start)
    tips_metrics_dir: Path | None = None
    tips_consumer_metrics_port: int = 9541  # `tips.cli consume` serves its /metrics (broker connection) here
    tips_consumer_metrics_addr: str = "127.0.0.1"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables (``NUTRIMAPA_*`` plus service URLs)."""
        env = os.environ if env is None else env
        base = cls()
        survey = env.get("NUTRIMAPA_SURVEY_FILES")
        return replace(
            base,
            geodata_dir=Path(env.get("NUTRIMAPA_GEODATA_DIR", base.geodata_dir)),
            models_dir=Path(env.get("NUTRIMAPA_MODELS_DIR", base.models_dir)),
            instance_dir=Path(env.get("NUTRIMAPA_INSTANCE_DIR", base.instance_dir)),
            survey_files=tuple(Path(p) for p in survey.split(os.pathsep)) if survey else base.survey_files,
            secret_key=env.get("NUTRIMAPA_SECRET_KEY", base.secret_key),
            redis_url=env.get("REDIS_URL") or None,
            database_url=env.get("DATABASE_URL") or None,
            mqtt_url=env.get("MQTT_URL") or None,
            mqtt_ca_file=env.get("NUTRIMAPA_MQTT_CA_FILE") or None,
            cache_timeout_s=int(env.get("NUTRIMAPA_CACHE_TIMEOUT_S", base.cache_timeout_s)),
            model_check_s=float(env.get("NUTRIMAPA_MODEL_CHECK_S", base.model_check_s)),
            default_language=env.get("NUTRIMAPA_LANGUAGE", base.default_language),
            max_upload_mb=int(env.get("NUTRIMAPA_MAX_UPLOAD_MB", base.max_upload_mb)),
            secure_cookies=env.get("NUTRIMAPA_SECURE_COOKIES", "1") != "0",
            login_limit=env.get("NUTRIMAPA_LOGIN_LIMIT", base.login_limit),
            session_hours=int(env.get("NUTRIMAPA_SESSION_HOURS", base.session_hours)),
            debug=env.get("NUTRIMAPA_DEBUG", "0") == "1",
            metrics_allow=tuple(
                n.strip()
                for n in env.get("NUTRIMAPA_METRICS_ALLOW", ",".join(base.metrics_allow)).split(",")
                if n.strip()
            ),
            metrics_token=env.get("NUTRIMAPA_METRICS_TOKEN") or _read_secret(env.get("NUTRIMAPA_METRICS_TOKEN_FILE")),
            metrics_dir=Path(env["PROMETHEUS_MULTIPROC_DIR"]) if env.get("PROMETHEUS_MULTIPROC_DIR") else None,
            worker_metrics_port=int(env.get("NUTRIMAPA_WORKER_METRICS_PORT", base.worker_metrics_port)),
            worker_metrics_addr=env.get("NUTRIMAPA_WORKER_METRICS_ADDR", base.worker_metrics_addr),
            drift_threshold=float(env.get("NUTRIMAPA_DRIFT_THRESHOLD", base.drift_threshold)),
            tips_phone_key=env.get("NUTRIMAPA_TIPS_PHONE_KEY")
            or _read_secret(env.get("NUTRIMAPA_TIPS_PHONE_KEY_FILE")),
            tips_hash_key=env.get("NUTRIMAPA_TIPS_HASH_KEY") or _read_secret(env.get("NUTRIMAPA_TIPS_HASH_KEY_FILE")),
            tips_host=env.get("NUTRIMAPA_TIPS_HOST", base.tips_host),
            tips_port=int(env.get("NUTRIMAPA_TIPS_PORT", base.tips_port)),
            tips_preview_limit=int(env.get("NUTRIMAPA_TIPS_PREVIEW_LIMIT", base.tips_preview_limit)),
            tips_max_body_bytes=int(env.get("NUTRIMAPA_TIPS_MAX_BODY_BYTES", base.tips_max_body_bytes)),
            tips_skip_weeks=int(env.get("NUTRIMAPA_TIPS_SKIP_WEEKS", base.tips_skip_weeks)),
            tips_metrics_dir=Path(env["NUTRIMAPA_TIPS_METRICS_DIR"]) if env.get("NUTRIMAPA_TIPS_METRICS_DIR") else None,
            tips_consumer_metrics_port=int(
                env.get("NUTRIMAPA_TIPS_CONSUMER_METRICS_PORT", base.tips_consumer_metrics_port)
            ),
            tips_consumer_metrics_addr=env.get("NUTRIMAPA_TIPS_CONSUMER_METRICS_ADDR", base.tips_consumer_metrics_addr),
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables that rebuild these settings in another process (a training job)."""
        env = {
            "NUTRIMAPA_GEODATA_DIR": str(self.geodata_dir),
            "NUTRIMAPA_MODELS_DIR": str(self.models_dir),
            "NUTRIMAPA_INSTANCE_DIR": str(self.instance_dir),
            "NUTRIMAPA_SURVEY_FILES": os.pathsep.join(str(p) for p in self.survey_files),
        }
        for name, value in (("REDIS_URL", self.redis_url), ("DATABASE_URL", self.database_url)):
            if value:
                env[name] = value
        return env

    @property
    def web_geo_dir(self) -> Path:
        """Folder of browser-ready (simplified, rounded) GeoJSON files."""
        return self.geodata_dir / "web"


def _read_secret(path: str | None) -> str | None:
    """A secret mounted as a file (Docker/Kubernetes secrets), stripped; None when unset."""
    return Path(path).read_text(encoding="utf-8").strip() or None if path else None
