"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py sales.wsgi:app`."""

from sales.app import create_app

app = create_app()
