"""Each gunicorn worker freezes what it loaded at start (`post_worker_init` in
gunicorn.conf.py), so that the garbage collector's full collections no longer scan the
whole app every hundred requests or so."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded():
    settings = runpy.run_path(str(CONF))
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
