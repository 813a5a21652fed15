"""The OpenPanel Export API simulator (``/export/events``, ``/export/charts``).

Usage (starts a server on loopback, so it is not run as a test)::

        from simulators.openpanel import OpenPanelSimulator, DEFAULT_CLIENT_ID
        with OpenPanelSimulator(events=5000, rate_limit=10) as sim:
            print(sim.url)
"""

from .model import EventModel
from .server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PROJECT_ID,
    WRITE_CLIENT_ID,
    WRITE_CLIENT_SECRET,
    OpenPanelSimulator,
)

SIMULATOR = OpenPanelSimulator

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "DEFAULT_PROJECT_ID", "SIMULATOR",
           "WRITE_CLIENT_ID", "WRITE_CLIENT_SECRET", "EventModel", "OpenPanelSimulator"]
