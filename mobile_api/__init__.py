"""The API and web app that farmers, officers and technicians use."""

from mobile_api.routes import bp

__all__ = ["bp"]
