"""The Ptengine Open API simulator (Insight §2 and Experience §3 endpoints).

Usage (starts a server on loopback, so it is not run as a test)::

        from simulators.ptengine import PtengineSimulator, DEFAULT_API_KEY
        with PtengineSimulator(plan="unlimited") as sim:
            httpx.post(sim.url + "/open-api/v1/conversion/goals",
                       json={"profileId": "566d12f9"}, headers={"x-api-key": DEFAULT_API_KEY})
"""

from .catalog import HEATMAP_PAGES
from .model import Model
from .server import DEFAULT_API_KEY, DEFAULT_PROFILE_ID, UPLOAD_ONLY_KEY, PtengineSimulator

SIMULATOR = PtengineSimulator

__all__ = ["DEFAULT_API_KEY", "DEFAULT_PROFILE_ID", "HEATMAP_PAGES", "SIMULATOR", "UPLOAD_ONLY_KEY",
           "Model", "PtengineSimulator"]
