"""Cysteine bot: curated, cited answers about L-cysteine and NAC (pure core plus thin shells)."""

__version__ = "0.1.0"
