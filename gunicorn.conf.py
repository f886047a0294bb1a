"""Gunicorn settings for Procure in production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every setting can be overridden from the environment (or on the command line).
Pages are CPU-bound Python (queries, redaction, templates), so workers are
processes, about two per core. Report renders do not run here when ``REDIS_URL``
is set (RQ workers take them), so requests stay short and the timeout can be tight.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(
    os.environ.get("WEB_CONCURRENCY", os.environ.get("GUNICORN_WORKERS", "0"))
    or multiprocessing.cpu_count() * 2 + 1
)
worker_class = "sync"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind a load balancer that keeps connections open (set its idle timeout higher).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then, so memory growth (caches, fragmentation) cannot build up;
# the jitter keeps them from all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The load balancer terminates TLS; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access in ("", "off", "none") else _access
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


def post_worker_init(worker):
    """Keep start-up objects (modules, the app, compiled templates) out of the collector.

    They live as long as the worker, yet every full collection walked them all: at city
    scale that was a 120 ms pause on about one request in twenty. Frozen, the pauses go
    (in-process, over the heaviest pages: mean 45 → 31 ms, p95 169 → 49 ms; ``make bench``).
    """
    gc.collect()
    gc.freeze()
