"""gunicorn settings for Kubernetes: all interfaces, logs to stdout, graceful shutdown."""

<% if params.workers == 0 %>
import multiprocessing
<% endif %>
import os

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

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(b)s", "duration_us": %(D)s}'
