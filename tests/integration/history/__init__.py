"""Tests of the data-log import into Home Assistant's recorder."""
