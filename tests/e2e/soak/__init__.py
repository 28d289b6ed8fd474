"""The soak: ``scripts/soak`` and ``tests/e2e/test_soak.py`` (see ``run.py``)."""
