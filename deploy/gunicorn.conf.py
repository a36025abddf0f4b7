"""gunicorn settings for MyGov's web process (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`)."""
import multiprocessing
import os

bind = os.environ.get("MYGOV_BIND", "0.0.0.0:8000")
# The usual (2 × cores) + 1; each worker is a separate process with its own DB pool.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("MYGOV_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
