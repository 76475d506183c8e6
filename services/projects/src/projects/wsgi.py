"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py projects.wsgi:app`."""

from projects.app import create_app

app = create_app()
