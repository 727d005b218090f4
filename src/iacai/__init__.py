"""iacai-kg: the essay on interagency collaboration and AI in the public sector, as linked data."""

__version__ = "0.1.0"
