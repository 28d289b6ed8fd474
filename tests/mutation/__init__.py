"""The project's mutation check: hand-written plausible bugs that some test must catch.

Run ``scripts/mutate`` (see ``runner.py``). Each area's mutants are data in a module
of this package: ``client.py`` (the IAP client), ``ha.py`` (the Home Assistant layer),
``sim.py`` (the simulator).
"""
