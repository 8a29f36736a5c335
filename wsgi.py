"""WSGI entry point: gunicorn 'wsgi:app' or flask --app wsgi."""
from reco import create_app

app = create_app()
