"""The Convert Experiences API v2 simulator (``analytics-elt simulate convert``).

Usage (starts a server on loopback, so it is not run as a test)::

        from simulators.convert import ConvertSimulator, DEFAULT_APPLICATION_ID
        with ConvertSimulator() as sim:
            base_url = sim.api_url               # e.g. http://127.0.0.1:54321/api/v2
"""

from .model import Model
from .server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_APPLICATION_ID,
    DEFAULT_APPLICATION_SECRET,
    ConvertSimulator,
)

SIMULATOR = ConvertSimulator

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_APPLICATION_ID", "DEFAULT_APPLICATION_SECRET",
           "SIMULATOR", "ConvertSimulator", "Model"]
