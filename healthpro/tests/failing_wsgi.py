"""A WSGI app that fails with a message no log may contain (healthpro/tests/test_gunicorn.py).

gunicorn itself logs the exception, as it does when a worker cannot answer: the case its own
formatter used to write with the full message.
"""

PHI_MESSAGE = "patient Jane Roe born 1970-01-02 has a diagnosis"


def application(environ, start_response):
    raise RuntimeError(PHI_MESSAGE)
