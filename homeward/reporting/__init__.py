"""Figures and exports: the key figures (`report kpis`), and later hotspots,
charts, PDF and the statutory returns. Every figure follows
/work/shared/spec/definitions.md and carries its definition (definitions.py).
"""
