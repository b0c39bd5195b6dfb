"""Tests of the key figures (homeward/reporting)."""
