"""ASGI factory for worker processes: each builds its own container from the settings."""

import gc

from fastapi import FastAPI

from andromede.api.app import create_app
from andromede.bootstrap import build
from andromede.config import load_settings

__all__ = ["app_from_settings"]


def app_from_settings() -> FastAPI:
    api = create_app(build(load_settings()))
    gc.freeze()  # as in `andromede serve`: start-up objects leave the collector's view
    return api
