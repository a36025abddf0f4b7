"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` embedded."""
from app import create_app
from app.runtime import start_embedded_services

app = create_app()
start_embedded_services(app)
