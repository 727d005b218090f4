"""The store tests reuse the service tests' helpers (a real uvicorn on 127.0.0.1)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "service"))
