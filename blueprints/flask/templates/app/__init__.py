"""The <@ service.name | text @> service: a Flask application factory.

Scaffolded by gen once; this file is yours to change.
"""

import datetime
import json
import logging
import os
import sys

from flask import Flask, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix

SERVICE = <@ service.name | json @>
LIVENESS_PATH = <@ service.health.liveness | json @>
READINESS_PATH = <@ service.health.readiness | json @>
# The variables the platform gives from the Secret <@ (service.name ~ "-env") | text @> (the spec's secretEnv).
SECRET_ENV = <@ service.secretEnv | json @>


class MissingSecret(RuntimeError):
    """A variable of SECRET_ENV is not set: the service refuses to start without it."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for the cluster's log collector; a line logged while answering
    a request carries its id (X-Request-ID, set by the ingress controller or the Gateway), as
    gunicorn's access line for it does."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": SERVICE,
        }
        if has_request_context():
            entry["request_id"] = request.headers.get("X-Request-ID")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


def read_secrets(config):
    """Each SECRET_ENV variable into the app's config (SECRET_KEY is Flask's session key): from
    `config` when given there (tests), else from the environment. A missing one stops the start
    with its name, instead of a service that runs without its key."""
    secrets = {}
    for name in SECRET_ENV:
        value = config.get(name) or os.environ.get(name)
        if not value:
            raise MissingSecret(
                f"{name} is not set: {SERVICE} reads it from the Secret "
                f"{SERVICE}-env (key {name}); create it, or set {name} when running locally"
            )
        secrets[name] = value
    return secrets


def create_app(config=None):
    """Build the application; gunicorn calls this (`app:create_app()`)."""
    configure_logging()
    config = dict(config or {})
    app = Flask(__name__)
    app.config["FAVORITE_ATHLETE"] = os.environ.get("FAVORITE_ATHLETE", "unknown")
    app.config.update(read_secrets(config))
    app.config.update(config)
    # Behind one proxy (the ingress controller or the Gateway): the client's scheme, host and
    # the path prefix the route strips come in X-Forwarded-Proto, -Host and -Prefix, the
    # client's address in X-Forwarded-For. ProxyFix trusts one hop of each, the one the proxy
    # adds, so redirects and url_for keep https, the public host and the prefix. Only the
    # ingress controller's namespace and the release's reach the pod (its NetworkPolicy).
    # X-Forwarded-Prefix is trusted only where the route strips one (FORWARDED_PREFIX, set by
    # the chart): there the proxy overwrites it; elsewhere ingress-nginx passes a client's own.
    # An application load balancer on ECS sets no X-Forwarded-Host and passes a client's own,
    # and keeps the Host header: there (PROXY_SETS_HOST=false) the Host header is the host.
    prefix = 1 if os.environ.get("FORWARDED_PREFIX") else 0
    host = 0 if os.environ.get("PROXY_SETS_HOST") == "false" else 1
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=host, x_prefix=prefix)
    log = logging.getLogger(SERVICE)

    @app.get("/", provide_automatic_options=False)
    def index():
        return jsonify(service=SERVICE, favorite_athlete=app.config["FAVORITE_ATHLETE"])

    @app.get(LIVENESS_PATH, provide_automatic_options=False)
    def healthz():
        return jsonify(status="ok")

    @app.get(READINESS_PATH, provide_automatic_options=False)
    def readyz():
        return jsonify(status="ready")

    @app.errorhandler(MethodNotAllowed)
    def only_get(error):
        return "Only GET method valid", 405, {"Content-Type": "text/plain; charset=utf-8", "Allow": "GET, HEAD"}

    @app.errorhandler(HTTPException)
    def http_error(error):
        return jsonify(error=error.name, status=error.code), error.code

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error")
        return jsonify(error="Internal Server Error", status=500), 500

    log.info("started")
    return app
