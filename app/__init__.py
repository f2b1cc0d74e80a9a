"""Chambers: formal court letters from parameterised Word templates."""

__version__ = "0.1.0"
