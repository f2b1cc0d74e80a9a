"""The build step pyproject.toml cannot declare: ship templates/ and resources/ inside the package.

The product card fixes ``templates/`` and ``resources/`` at the top of the checkout, outside the
``app`` package, and setuptools' package-data only reaches files inside a package. This copies
them into the built package as ``app/_data/`` (where ``app/resources.py`` finds them with
importlib.resources), leaving out the scripts that generate them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "resources", "docs")  # docs: the guides the Help menu shows
NOT_SHIPPED = shutil.ignore_patterns("*.py", "*.pyc", "__pycache__", ".*")


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        for name in SHIPPED:
            target = Path(self.build_lib) / "app" / "_data" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(HERE / name, target, ignore=NOT_SHIPPED)


setup(cmdclass={"build_py": BuildWithShippedFiles})
