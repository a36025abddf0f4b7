"""A local stand-in for Entra ID and the Microsoft Graph subset MyGov uses (never in production).

It follows docs/graph-contract.md and imports nothing of MyGov's database, models or services.
"""

from app.devtenant.app import DevTenantRefused, create_devtenant_app
from app.devtenant.server import DevTenantServer

__all__ = ["DevTenantRefused", "DevTenantServer", "create_devtenant_app"]
