"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py customer.wsgi:app`."""

from customer.app import create_app

app = create_app()
