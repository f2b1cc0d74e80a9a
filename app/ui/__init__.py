"""The Qt window: a thin layer over app.services; the only package that imports PySide6."""
