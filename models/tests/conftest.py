import json
import sys
from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(MODELS_DIR))


@pytest.fixture(scope='session')
def reference() -> dict:
    from tools.reference import REFERENCE
    return json.loads(REFERENCE.read_text())
