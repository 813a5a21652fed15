"""The Pirsch API simulator: tokens, domains and every statistics endpoint.

Usage (starts a server on loopback, so it is not run as a test)::

        from simulators.pirsch import PirschSimulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        with PirschSimulator() as sim:
            token = httpx.post(sim.url + "/api/v1/token", json={
                "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}).json()
"""

from . import stats
from .model import DOMAINS, GOALS, Model
from .server import (
    ACCESS_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_DOMAIN_ID,
    USER_CLIENT_ID,
    USER_CLIENT_SECRET,
    PirschSimulator,
)

SIMULATOR = PirschSimulator

__all__ = ["ACCESS_KEY", "DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "DEFAULT_DOMAIN_ID",
           "DOMAINS", "GOALS", "SIMULATOR", "USER_CLIENT_ID", "USER_CLIENT_SECRET", "Model",
           "PirschSimulator", "stats"]
