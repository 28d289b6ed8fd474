"""Offline re-checks of what hassfest and the HACS action check."""
