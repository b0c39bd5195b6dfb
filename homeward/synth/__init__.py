"""Synthetic data for Homeward (pure Python, no Django).

``generate(...)`` writes a realistic, deliberately messy data set for one area
authority; ``measure(out_dir)`` reads one back and reports the calibration
figures. See docs/synthetic-data.md.
"""

from .generator import generate
from .measure import measure

__all__ = ["generate", "measure"]
