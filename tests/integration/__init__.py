"""Tests of the Home Assistant layer, against the simulator over loopback."""
