"""The Convert Experiences API v2 simulator (``analytics-elt simulate convert``).

Example:
    >>> from simulators.convert import ConvertSimulator, DEFAULT_APPLICATION_ID
    >>> with ConvertSimulator() as sim:          # doctest: +SKIP
    ...     base_url = sim.api_url               # e.g. http://127.0.0.1:54321/api/v2
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
