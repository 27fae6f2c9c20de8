"""Login and logout, the guard on every ``/admin`` route, CSRF and login rate limits.

- Sessions: Flask's signed cookie, HttpOnly, SameSite=Lax, Secure (configurable),
  expiring after ``session_hours``; flask-login with "strong" session protection.
- CSRF: flask-wtf tokens on every unsafe request except the public dashboard's
  own Dash callbacks by anonymous visitors (they can change nothing). Logged-in
  Dash callbacks carry the token in the ``X-CSRFToken`` header, which the Dash
  renderer copies from the ``_csrf_token`` cookie set here.
- Failed logins are limited per client address and per username: counted in the
  admin database by default (``login_limits``: every gunicorn worker shares it), or
  by flask-limiter's Redis storage when ``REDIS_URL`` is set. The attempt after the
  limit gets 429 even with the right password, and the lock is audited.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf, validate_csrf
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from app.admin import accounts, get_db, login_limits
from app.config import Settings
from app.db.models import User
from app.web.errors import error_response, is_api_path

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)
CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
DASH_PATHS = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoginForm(FlaskForm):
    username = StringField("Usuario", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Contraseña", validators=[DataRequired(), Length(max=256)])


def is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def _username_key() -> str:
    return "user:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(response) -> bool:
    """Only failed attempts count against the limit (a success redirects)."""
    return response.status_code != 302


def _no_redis() -> bool:
    """Without Redis the database counts failed logins (see ``login_limits``); flask-limiter stands aside."""
    return not current_settings().redis_url


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    with get_db().sessions() as s:
        user = s.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not target:
        return "/admin"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/admin"
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_settings().login_limit, methods=["POST"], deduct_when=_failed, exempt_when=_no_redis)
@limiter.limit(
    lambda: current_settings().login_limit,
    methods=["POST"],
    deduct_when=_failed,
    key_func=_username_key,
    exempt_when=_no_redis,
)
def login():
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    status = 200
    db = get_db()
    attempt = None
    if request.method == "POST" and _no_redis():
        attempt = login_limits.begin(
            db, current_settings().login_limit, request.remote_addr, request.form.get("username")
        )
        if attempt.blocked:
            with db.session() as s:
                name = login_limits.normalise_username(request.form.get("username"))
                accounts.audit(s, None, "login_locked", username=name, ip=request.remote_addr)
            log.warning("login locked for %s / %r: too many failed attempts", request.remote_addr, name)
            return _locked(attempt.retry_after_s)
    if form.validate_on_submit():
        with db.session() as s:
            user = accounts.authenticate(s, form.username.data, form.password.data)
            if user is not None:
                accounts.audit(s, user, "login", ip=request.remote_addr)
            else:
                accounts.audit(s, None, "login_failed", username=form.username.data[:64], ip=request.remote_addr)
        if attempt is not None and user is not None:
            login_limits.forget(db, attempt)  # only failures count
        if user is not None:
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME (session_hours)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("Usuario o contraseña incorrectos. / Wrong username or password.")
        status = 401
    elif request.method == "POST":
        status = 400
        if attempt is not None:
            login_limits.forget(db, attempt)  # no password was checked
    return render_template("login.html", form=form), status


def _locked(retry_after_s: int):
    message = "Demasiados intentos fallidos; espere e intente de nuevo. / Too many failed attempts."
    response = make_response(render_template("login.html", form=LoginForm(), error=message), 429)
    response.headers["Retry-After"] = str(retry_after_s)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        with get_db().session() as s:
            accounts.audit(s, s.get(User, current_user.id), "logout", ip=request.remote_addr)
    logout_user()
    response = redirect("/")
    response.delete_cookie(CSRF_COOKIE)
    return response


def current_settings() -> Settings:
    from flask import current_app

    return current_app.extensions["nutrimapa"].settings


def _guard():
    """Anonymous visitors get 401 on admin API routes and a login redirect on admin pages; unsafe requests need CSRF."""
    path = request.path
    if is_admin_path(path) and not current_user.is_authenticated:
        if path.startswith("/admin/api/"):
            return error_response(401, "unauthorized", "authentication required", login=url_for("auth.login"))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if request.routing_exception is not None:  # no view will run: let the 404/405 answer, not a CSRF error
        return None
    if request.method in UNSAFE and (path not in DASH_PATHS or current_user.is_authenticated):
        csrf.protect()
    return None


def _csrf_cookie(response):
    """Give logged-in browsers the token Dash's renderer sends back as X-CSRFToken (when theirs is missing or stale)."""
    if current_user.is_authenticated and request.path != url_for("auth.logout"):
        try:
            validate_csrf(request.cookies.get(CSRF_COOKIE))
            return response
        except ValidationError:
            pass
        settings = current_settings()
        response.set_cookie(
            CSRF_COOKIE, generate_csrf(), secure=settings.secure_cookies, httponly=False, samesite="Strict"
        )
    return response


def _csrf_error(error: CSRFError):
    if is_api_path(request.path) or request.path.startswith("/_dash"):
        return error_response(400, "csrf", error.description)
    return render_template("login.html", form=LoginForm(), error=error.description), 400


def _too_many(error):
    message = (
        f"Demasiados intentos fallidos; espere e intente de nuevo. / Too many failed attempts ({error.description})."
    )
    if is_api_path(request.path):
        return error_response(429, "rate_limited", message)
    return render_template("login.html", form=LoginForm(), error=message), 429


def init_app(server: Flask, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="nutrimapa_session",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _guard, so anonymous Dash callbacks pass
        WTF_CSRF_TIME_LIMIT=settings.session_hours * 3600,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="nutrimapa-login",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    login_manager.init_app(server)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    csrf.init_app(server)
    limiter.init_app(server)
    server.register_blueprint(bp)
    server.before_request(_guard)
    server.after_request(_csrf_cookie)
    server.register_error_handler(CSRFError, _csrf_error)
    server.register_error_handler(429, _too_many)
