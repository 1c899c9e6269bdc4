"""Curtain's error classes.

Each subclasses a built-in so callers can catch either the specific class or
``ValueError``. Messages name the file, the field and the fix.
"""

from __future__ import annotations


class CurtainError(ValueError):
    """Base class of every error Curtain raises about its inputs."""


class ScenarioError(CurtainError):
    """A scenario file is malformed or holds values outside what is allowed."""


class NetworkError(CurtainError):
    """A road network cannot be read or built."""


class CameraError(CurtainError):
    """A camera layout names edges, directions or rates that are not allowed."""


class DemandError(CurtainError):
    """A demand model or trips file is not usable."""


class OutputError(CurtainError):
    """An output folder cannot be written without touching files Curtain did not write."""
