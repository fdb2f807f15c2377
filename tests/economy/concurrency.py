"""Racing many threads, each with its own database connection and transaction."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connections

# More threads than the test database's connection pool holds, so some wait for one.
THREADS = 16


def race(function, arguments):
    """Run function(argument) for every argument on THREADS threads at once; returns
    each call's result or the exception it raised."""

    def call(argument):
        try:
            return function(argument)
        except Exception as error:  # the test counts refusals
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(call, arguments))
