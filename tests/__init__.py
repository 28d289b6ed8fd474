"""Tests of the smartserver_iap project."""
