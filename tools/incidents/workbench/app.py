"""The workbench's web app (Flask): the page, its JSON API, and the guards of a local tool.

A local server is still reachable by any web page the coder opens: a page elsewhere could post to it
(cross-site request forgery) or point a name of its own at 127.0.0.1 (DNS rebinding). So the server binds
to a loopback address only, answers only requests whose Host is its own address and whose Origin, when
sent, is its own, takes writes only as JSON (which no plain form can send), and every response carries a
Content-Security-Policy that lets the page load nothing but its own files.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

from incidents import standard
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.workbench import forms, offsets, store

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class HostRefused(ValueError):
    """The workbench is asked to listen on an address other machines can reach."""


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _problem(p: Problem) -> dict[str, Any]:
    return {k: getattr(p, k) for k in ("file", "line", "record", "field", "message", "expected", "code")}


def addresses(host: str, port: int) -> set[str]:
    """The Host headers of the workbench's own page: its address, and localhost's names for it."""
    shown = f"[{host}]" if ":" in host else host
    return {f"{shown}:{port}", f"127.0.0.1:{port}", f"localhost:{port}"}


def create_app(
    root: Path, by: str, port: int, host: str = "127.0.0.1", now: Callable[[], dt.datetime] | None = None
) -> Flask:
    """The app on the dataset at `root`, writing revisions as `by`, answering only at `host`:`port`."""
    app = Flask(__name__)
    app.config.update(PORT=port, HOST=host)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # a record's keys keep the standard's order
    layout = Layout(root)
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    admin1 = functools.cache(lambda: store.known_admin1(layout))

    @app.before_request
    def same_origin() -> None:
        own = addresses(app.config["HOST"], app.config["PORT"])
        if request.host not in own:
            abort(403, f"Host {request.host!r} is not the workbench's own address (http://{min(own)})")
        origin = request.headers.get("Origin")
        if origin is not None and origin not in {f"http://{host}" for host in own}:
            abort(403, f"a request from {origin!r}: the workbench answers only its own page")
        if request.method not in ("GET", "HEAD") and not request.is_json:
            abort(415, "changes are sent as JSON (Content-Type: application/json)")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.description), error.code or 500

    @app.errorhandler(store.StoreRefused)
    @app.errorhandler(offsets.SelectionRefused)
    def refused(error: ValueError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 400

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, "the request body must be a JSON object")
        return data

    @app.get("/")
    def page() -> str:
        return render_template("workbench.html", sources=store.list_sources(layout), by=by)

    @app.get("/api/form")
    def form() -> Response:
        return jsonify(forms.form(standard.load()))

    @app.get("/api/sources")
    def sources() -> Response:
        return jsonify(store.list_sources(layout))

    @app.post("/api/sources")
    def paste() -> Response:
        data = body()
        published = data.get("published") or None
        try:
            day = dt.date.fromisoformat(published) if published else None
        except (TypeError, ValueError):
            raise store.StoreRefused(f"published {published!r} is not a day (expected YYYY-MM-DD)") from None
        source_id = store.ingest_report(
            layout,
            str(data.get("text") or ""),
            clock(),
            url=data.get("url") or None,
            publisher=str(data.get("publisher") or ""),
            published=day,
            title=data.get("title") or None,
            language=data.get("language") or None,
        )
        return jsonify(source_id=source_id)

    @app.get("/api/sources/<source_id>")
    def source(source_id: str) -> Response:
        return jsonify(store.open_source(layout, source_id))

    @app.post("/api/sources/<source_id>/drafts")
    def drafts(source_id: str) -> Response:
        return jsonify(store.drafts(layout, source_id, by, clock(), admin1()))

    @app.post("/api/records/new")
    def new_record() -> Response:
        return jsonify(record=store.empty_record(by, clock()))

    @app.get("/api/records/<incident_id>")
    def record(incident_id: str) -> Response:
        return jsonify(record=store.read_record(layout, incident_id))

    @app.get("/api/review")
    def review() -> Response:
        return jsonify(store.needs_review(layout))

    @app.get("/api/actors")
    def actors() -> Response:
        return jsonify(store.find_actors(layout, request.args.get("q", "")))

    @app.post("/api/actors/new")
    def new_actor() -> Response:
        from incidents.records import actors as actor_files

        data = body()
        name = str(data.get("name") or "").strip()
        if not name:
            raise store.StoreRefused("the actor's name is empty: expected the name the sources use")
        aliases = [str(a).strip() for a in data.get("aliases") or [] if str(a).strip()]
        country = data.get("country") or None
        return jsonify(actor=actor_files.new_actor(name, str(data.get("actor_type") or ""), country, aliases))

    @app.post("/api/evidence")
    def evidence() -> Response:
        data = body()
        source_id = store.checked_id("sources", "source_id", data.get("source_id"))
        start, end = data.get("start"), data.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            raise offsets.SelectionRefused("start and end must be the selection's offsets (whole numbers)")
        supports = [str(s) for s in data.get("supports") or []]
        text = store.source_text(layout, source_id)
        return jsonify(evidence=offsets.evidence(text, source_id, start, end, supports))

    @app.post("/api/check")
    def check() -> Response:
        data = body()
        found = store.check(layout, data.get("record"), data.get("new_actors") or [], clock().date())
        return jsonify(problems=[_problem(p) for p in found])

    @app.post("/api/save")
    def save() -> Response:
        data = body()
        record = data.get("record")
        written = store.save(layout, record, data.get("new_actors") or [], str(data.get("reason") or ""), by, clock())
        saved = store.read_record(layout, str(record["incident_id"]))  # type: ignore[index]
        found = store.check(layout, saved, [], clock().date())
        return jsonify(written=written, record=saved, problems=[_problem(p) for p in found])

    return app


def server(root: Path, by: str, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, str]:
    """The workbench bound to a loopback address (port 0: a free one), not yet serving, and its address."""
    if not loopback(host):
        raise HostRefused(
            f"{host!r} is not a loopback address: the workbench writes to your dataset and listens only on "
            "127.0.0.1, localhost or ::1"
        )
    app = create_app(root, by, port, host)
    bound = make_server(host, port, app, threaded=True)
    app.config["PORT"] = bound.server_port
    shown = f"[{host}]" if ":" in host else host
    return bound, f"http://{shown}:{bound.server_port}/"
