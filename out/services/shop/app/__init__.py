"""The shop service: a Flask application factory.

Scaffolded by gen once; this file is yours to change.
"""

import json
import logging
import os
import sys

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

SERVICE = "shop"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for the cluster's log collector."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": SERVICE,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


def create_app(config=None):
    """Build the application; gunicorn calls this (`app:create_app()`)."""
    configure_logging()
    app = Flask(__name__)
    app.config["FAVORITE_ATHLETE"] = os.environ.get("FAVORITE_ATHLETE", "unknown")
    if config:
        app.config.update(config)
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
