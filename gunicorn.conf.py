"""gunicorn settings for running quizapp in production.

    .venv/bin/gunicorn --config gunicorn.conf.py

(``python3 tasks.py serve`` sets up, migrates, imports and runs exactly
that.) Each setting can be overridden on the command line or with the
environment variables named below. See README.md, "Production".
"""

import os

wsgi_app = "quizapp:create_app()"
bind = os.environ.get("QUIZ_BIND", "127.0.0.1:8000")

# Worker model: chosen by measurement, see the comment at the end of this file.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"

# A request that takes this long is stuck: the worker is restarted.
timeout = 30
graceful_timeout = 20

# Access logs cost time on every poll; the reverse proxy in front usually
# keeps them. Set QUIZ_ACCESS_LOG=- to log to standard output.
accesslog = os.environ.get("QUIZ_ACCESS_LOG") or None
errorlog = "-"
