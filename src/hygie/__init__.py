"""hygie: the cyber-hygiene leaflet for nurses in private practice, made real on their computer."""

__version__ = "0.1.0"
