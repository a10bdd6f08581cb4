"""gunicorn settings for Kubernetes: all interfaces, logs to stdout, graceful shutdown."""

import multiprocessing
import os

# 0.0.0.0, not 127.0.0.1: a server bound to loopback is unreachable from outside its container.
bind = "0.0.0.0:" + os.environ.get("PORT", "<@ service.port @>")

<% if params.workers > 0 %>
workers = int(os.environ.get("GUNICORN_WORKERS", "<@ params.workers @>"))
<% else %>
# Two per CPU plus one, capped: cpu_count() sees the node's CPUs, not the container's limit.
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8)))
<% endif %>
worker_class = "sync"

# A request may take `timeout` seconds; on SIGTERM, workers get `graceful_timeout` to finish,
# inside the pod's termination grace period (the chart adds the time endpoints take to drop
# the pod).
timeout = <@ params.timeout @>
graceful_timeout = <@ runtime.gracefulShutdownSeconds @>
keepalive = 5

# No control socket: it would go under $HOME, which the non-root user does not have, and
# nothing in a cluster talks to it.
control_socket_disable = True

# Heartbeat files in memory: the root filesystem is read-only in the cluster.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(b)s", "duration_us": %(D)s}'
