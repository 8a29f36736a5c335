"""The application as gunicorn serves it, plus the reference routes the network benchmark compares against."""
from bench.reference import add_reference_routes
from wsgi import app

add_reference_routes(app)
