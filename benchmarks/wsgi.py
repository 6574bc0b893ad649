"""The product's WSGI application with the benchmark prototype's route added (``cases.Gunicorn`` serves it)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.prototype"
