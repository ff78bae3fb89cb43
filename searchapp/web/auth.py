"""The admin login: password, session secret, CSRF protection and login rate limit.

- Password: $SEARCHAPP_ADMIN_PASSWORD; when unset, the first start generates one, prints it once
  to the server log and keeps only its hash (werkzeug.security) in the instance folder.
  `searchapp admin-password` replaces it.
- SECRET_KEY: $SEARCHAPP_SECRET_KEY, else generated once into the instance folder, so every
  gunicorn worker signs sessions (and CSRF tokens) with the same key.
- The instance folder: $SEARCHAPP_INSTANCE_DIR, else ./instance beside the index folder.
- Login attempts: 10 per minute per client address (the app's one Flask-Limiter, ratelimit.py;
  the counts are shared by every worker, limitstore.py; past them the right password waits too;
  behind a reverse proxy set $SEARCHAPP_PROXY_FIX so the client address is the real one,
  security.py).
- Sessions: each carries an epoch (session_epoch) that changes at every logout and password
  change, so a saved cookie stops working server-side in every worker.
- Cookies: HttpOnly, SameSite=Lax; Secure with $SEARCHAPP_SECURE_COOKIES=1 or on any request
  that arrived over HTTPS (security.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from werkzeug.security import check_password_hash, generate_password_hash

from .ratelimit import limiter  # noqa: F401 - the app's one Limiter (admin.py: auth.limiter)

PASSWORD_FILE = "admin-password.hash"
EPOCH_FILE = "session-epoch"
SECRET_FILE = "secret-key"
LOGIN_LIMIT = "10 per minute"

csrf = CSRFProtect()
log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def instance_dir(index_dir: Path | str) -> Path:
    """$SEARCHAPP_INSTANCE_DIR, else `instance/` beside the index folder."""
    env = os.environ.get("SEARCHAPP_INSTANCE_DIR")
    return Path(env).absolute() if env else Path(index_dir).absolute().parent / "instance"


def _create_once(path: Path, content: str) -> bool:
    """Write path only if it does not exist yet (atomic across processes); True if we did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, content.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def secret_key(folder: Path) -> str:
    """$SEARCHAPP_SECRET_KEY, else the key stored in the instance folder (made on first use)."""
    env = os.environ.get("SEARCHAPP_SECRET_KEY")
    if env:
        return env
    path = folder / SECRET_FILE
    try:
        if not path.exists():
            _create_once(path, secrets.token_hex(32))
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:  # a read-only instance folder: searching works, sessions per process
        log.error("no session key in %s (%s): set SEARCHAPP_SECRET_KEY; admin logins now last "
                  "only as long as this worker", folder, exc.strerror or exc)
        return secrets.token_hex(32)


def store_password(folder: Path, password: str) -> Path:
    """Replace the stored password hash."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PASSWORD_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, generate_password_hash(password).encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def ensure_password(folder: Path) -> None:
    """Without $SEARCHAPP_ADMIN_PASSWORD, make sure a password hash exists (print a new one)."""
    if os.environ.get("SEARCHAPP_ADMIN_PASSWORD") or (folder / PASSWORD_FILE).exists():
        return
    password = secrets.token_urlsafe(12)
    try:
        created = _create_once(folder / PASSWORD_FILE, generate_password_hash(password))
    except OSError as exc:
        log.error("no admin password: %s is not writable (%s); set SEARCHAPP_ADMIN_PASSWORD",
                  folder, exc.strerror or exc)
        return
    if created:
        print(
            f"searchapp: generated admin password for /admin: {password}\n"
            f"searchapp: (only its hash is kept, in {folder / PASSWORD_FILE}; set "
            "SEARCHAPP_ADMIN_PASSWORD or run `searchapp admin-password` to choose another)",
            file=sys.stderr, flush=True,
        )


def check_password(candidate: str) -> bool:
    """Is this the admin password?"""
    env = os.environ.get("SEARCHAPP_ADMIN_PASSWORD") or current_app.config.get("ADMIN_PASSWORD")
    if env:
        return hmac.compare_digest(candidate.encode(), env.encode())
    try:
        stored = (Path(current_app.instance_path) / PASSWORD_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return check_password_hash(stored.strip(), candidate)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""


def session_epoch() -> str:
    """What every valid session carries: it changes at each logout (EPOCH_FILE gets a new
    token) and whenever the password changes (stored hash or $SEARCHAPP_ADMIN_PASSWORD), so a
    cookie saved before either is refused, in every worker."""
    folder = Path(current_app.instance_path)
    env = os.environ.get("SEARCHAPP_ADMIN_PASSWORD") or current_app.config.get("ADMIN_PASSWORD")
    password = "env:" + env if env else "hash:" + _read(folder / PASSWORD_FILE)
    material = f"{_read(folder / EPOCH_FILE)}\0{password}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(material).hexdigest()[:32]


def new_epoch(folder: Path) -> None:
    """End every session signed so far (logout; store_password changes the epoch itself)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{EPOCH_FILE}.{os.getpid()}.tmp"
    tmp.write_text(secrets.token_hex(16), encoding="utf-8")
    os.replace(tmp, folder / EPOCH_FILE)


def log_in() -> None:
    session.clear()
    session["admin"] = True
    session["epoch"] = session_epoch()


def log_out() -> None:
    """Log out this browser and invalidate every earlier session server-side (only a logged-in
    admin can: an anonymous POST must not end the admin's sessions)."""
    was_admin = is_admin()
    session.clear()
    if not was_admin:
        return
    try:
        new_epoch(Path(current_app.instance_path))
    except OSError as exc:
        log.error("logout could not end earlier sessions: %s is not writable (%s)",
                  current_app.instance_path, exc.strerror or exc)


def is_admin() -> bool:
    epoch = session.get("epoch")
    return bool(session.get("admin")) and isinstance(epoch, str) and hmac.compare_digest(
        epoch, session_epoch())


def login_required(view: F) -> F:
    """Anonymous page loads go to the login form; anything else gets 401."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_admin():
            if request.method == "GET" and not request.headers.get("HX-Request"):
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            abort(401, description="log in at /admin/login first")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Instance folder, secret key, session cookie flags, CSRF, password (the limiter is attached
    by ratelimit.init_app)."""
    folder = Path(app.config.get("INSTANCE_DIR") or instance_dir(app.config["INDEX_DIR"]))
    app.instance_path = str(folder)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(folder)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if os.environ.get("SEARCHAPP_SECURE_COOKIES", "") in ("1", "true"):  # when served over https
        app.config["SESSION_COOKIE_SECURE"] = True
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    csrf.init_app(app)
    if not app.config.get("ADMIN_PASSWORD"):
        ensure_password(folder)
