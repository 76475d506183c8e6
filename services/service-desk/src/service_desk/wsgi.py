"""The WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py service_desk.wsgi:app`."""

from service_desk.app import create_app

app = create_app()
