"""Black-box tests of the SmartServer simulator."""
