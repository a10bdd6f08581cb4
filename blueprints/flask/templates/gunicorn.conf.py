"""gunicorn settings for Kubernetes: all interfaces, logs to stdout, graceful shutdown."""

import datetime
import json
import logging
<% if params.workers == 0 %>
import multiprocessing
<% endif %>
import os
import time

# 0.0.0.0, not 127.0.0.1: a server bound to loopback is unreachable from outside its container.
bind = "0.0.0.0:" + os.environ.get("PORT", "<@ service.port @>")

<% if params.workers > 0 %>
workers = int(os.environ.get("GUNICORN_WORKERS", "<@ params.workers @>"))
<% else %>

def _cpus():
    """The CPUs this container may use: its limit, which the pod passes in millicores through
    the downward API (CPU_LIMIT_MILLICORES); cpu_count() would see every CPU of the node."""
    millicores = os.environ.get("CPU_LIMIT_MILLICORES", "")
    if millicores.isdigit() and int(millicores) > 0:
        return int(millicores) / 1000
    return multiprocessing.cpu_count()


# Two per CPU plus one (gunicorn's advice), at least two (one busy worker must not stop the
# pod from answering its probes), at most eight.
workers = int(os.environ.get("GUNICORN_WORKERS", min(max(int(2 * _cpus() + 1), 2), 8)))
<% endif %>
worker_class = "sync"

# A request may take `timeout` seconds, and on SIGTERM the workers get as long to finish the
# requests they hold: a rollout never cuts a request the service allows. The pod's preStop
# delay (<@ runtime.shutdownDelaySeconds @> s) and grace period (<@ runtime.terminationGracePeriodSeconds @> s) are derived from the same value.
timeout = <@ params.timeout @>
graceful_timeout = <@ runtime.gracefulShutdownSeconds @>
keepalive = 5

# The forwarded headers (X-Forwarded-For, -Proto, -Host, -Prefix) are read by the application
# (werkzeug's ProxyFix, one proxy in front), in one place with one rule; gunicorn's own reading
# stays at its loopback default: it would also trust X-Forwarded-Ssl and X-Forwarded-Protocol,
# which the ingress controller passes through from the client unchanged.
forwarded_allow_ips = "127.0.0.1,::1"

# No control socket: it would go under $HOME, which the non-root user does not have, and
# nothing in a cluster talks to it.
control_socket_disable = True

# Heartbeat files in memory: the root filesystem is read-only in the cluster.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Every line one JSON object, gunicorn's own included, for the cluster's log collector: its
# messages (on stderr) by the formatter below, each request (on stdout, as the service's own
# lines) by the access one, built from gunicorn's values, not from a format string that a
# quote or a backslash in a path would break.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def _time(record):
    """The record's time in UTC, to the millisecond: lines of one second keep their order."""
    return datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(timespec="milliseconds")


def _atom(atoms, key):
    """One of gunicorn's values for the access line, as the request had it: gunicorn puts a
    backslash before each double quote of a text value (for its format string), taken back here."""
    value = atoms.get(key)
    return value.replace('\\"', '"') if isinstance(value, str) else value


class JsonFormatter(logging.Formatter):
    """gunicorn's messages (starting, booting a worker, a worker's timeout) as JSON."""

    def format(self, record):
        entry = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class AccessFormatter(logging.Formatter):
    """One request, from the values gunicorn logs it with; the request id is the one the
    ingress controller or the Gateway sets (X-Request-ID), which the service's own lines carry."""

    def format(self, record):
        atoms = record.args if isinstance(record.args, dict) else {}
        entry = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "remote": atoms.get("h"),
            "method": _atom(atoms, "m"),
            "path": _atom(atoms, "U"),
            "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
            "bytes": int(atoms["B"]) if str(atoms.get("B", "")).isdigit() else 0,
            "duration_us": atoms.get("D"),
            "request_id": _atom(atoms, "{x-request-id}i"),
        }
        return json.dumps(entry)


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonFormatter}, "access": {"()": AccessFormatter}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
<% if runtime.metrics is defined %>

# Metrics, right across workers: each worker writes its samples to files in one folder
# (prometheus_client's multiprocess mode), set here, before any worker starts, on the writable
# /tmp; the master removes the samples an earlier run left there, marks a worker's gauges dead
# when it exits, and serves the sum on its own port (<@ runtime.metrics.port @>, named `metrics` in the pod), which no route
# reaches. Counted for every request the server answers, by the route's template (Flask's
# matched rule, never the raw path: one series per route, whatever clients ask for;
# `<unmatched>` where no route matched, `<unknown>` for an application that is not Flask's).
METRICS_PORT = int(os.environ.get("METRICS_PORT", "<@ runtime.metrics.port @>"))
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/prometheus-multiproc")
_metrics = None


# The methods a label may name; any other a client sends is counted as `other` (one series
# per method a client invents would grow without end).
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Request durations up to the longest request the service allows (`timeout`), which ends in
# the last bucket before +Inf: the latency of slow requests stays measurable.
# The boundaries are the blueprint's (runtime.metrics.requests.buckets): a latency SLO's
# threshold is one of them, so that its indicator is a count.
BUCKETS = tuple(b for b in (<% for b in runtime.metrics.requests.buckets %><@ b @><% if not loop.last %>, <% endif %><% endfor %>) if b < timeout)
BUCKETS += (timeout, float("inf"))


def on_starting(server):
    # The samples of an earlier run (a restarted container keeps its /tmp): their files alone,
    # whatever else the folder holds.
    os.makedirs(METRICS_DIR, exist_ok=True)
    for name in os.listdir(METRICS_DIR):
        if name.endswith(".db"):
            os.remove(os.path.join(METRICS_DIR, name))


def when_ready(server):
    # The server is a thread of the master, started before the workers are forked (they
    # inherit its listening socket and never accept on it). A port taken is logged, and the
    # service serves on without metrics: its scrape target shows down, not its users.
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    try:
        start_http_server(METRICS_PORT, addr="0.0.0.0", registry=registry)
    except OSError as error:
        server.log.error("metrics are not served: port %s: %s", METRICS_PORT, error)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    global _metrics
    from prometheus_client import Counter, Gauge, Histogram

    _metrics = (
        Counter("http_requests_total", "Requests answered, by method, route and status.", ["method", "route", "status"]),
        Histogram(
            "http_request_duration_seconds", "Seconds to answer a request, by method and route.", ["method", "route"], buckets=BUCKETS
        ),
        Gauge("http_requests_in_progress", "Requests being answered.", multiprocess_mode="livesum"),
    )
    # The application is loaded (no request yet): Flask says which rule each request matched
    # once it is routed; the request's environ carries it to post_request.
    app = getattr(worker, "wsgi", None)
    if hasattr(app, "url_map"):
        from flask import request, request_started

        def note_route(sender, **extra):
            rule = request.url_rule
            request.environ["gen.route"] = rule.rule if rule is not None else "<unmatched>"

        request_started.connect(note_route, app, weak=False)


def pre_request(worker, req):
    req.gen_started = time.perf_counter()
    if _metrics:
        _metrics[2].inc()


def post_request(worker, req, environ, resp):
    if not _metrics:
        return
    requests, duration, in_progress = _metrics
    in_progress.dec()
    route = environ.get("gen.route", "<unknown>")
    status = str(getattr(resp, "status_code", None) or 500)
    method = req.method if req.method in METHODS else "other"
    requests.labels(method, route, status).inc()
    duration.labels(method, route).observe(time.perf_counter() - getattr(req, "gen_started", time.perf_counter()))
<% endif %>
