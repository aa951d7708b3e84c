"""The command line: it parses and delegates; every capability is importable on its own."""
