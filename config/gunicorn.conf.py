"""gunicorn's configuration for production: `make serve` and the deployment in the README use it.

Every value can be overridden from the environment (GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS, ...).
"""

import os
from typing import Any

from gunicorn.glogging import Logger

from config.redaction import redact

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Stateless processes: scale with WEB_CONCURRENCY here and with more machines behind the load balancer.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The load balancer's addresses, whose X-Forwarded-* headers gunicorn trusts (comma-separated; "*" for any).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request line, path, query, referer and headers of an access log line, with tokens and API keys redacted.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" pid=%(p)s'


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms are redacted (config/redaction.py)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
