"""A test-only hook, never part of the package or the CLI: with this folder on PYTHONPATH and
BRIEF_TEST_FAKE=1 set, every `brief` process started by a test translates with a fake model (a ``LoopFake``
from tests/fake_translators.py), so that tests can kill, terminate or limit a real `brief translate` process.

BRIEF_TEST_DELAY: seconds each model batch takes. BRIEF_TEST_PROGRESS: a file that gets one line per batch
translated. BRIEF_TEST_PAUSE_AT_REPLACE=N: the Nth ``os.replace`` (the rename that publishes an output)
writes BRIEF_TEST_PROGRESS + '.paused' and waits there, to be killed at that exact write.
"""

import os

if os.environ.get("BRIEF_TEST_FAKE"):
    import sys
    import time

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from fake_translators import LoopFake

    import pipeline.loaders
    import pipeline.models

    _delay = float(os.environ.get("BRIEF_TEST_DELAY", "0"))
    _progress = os.environ.get("BRIEF_TEST_PROGRESS")

    class _SlowFake(LoopFake):
        def translate_batch(self, texts, decoding):
            time.sleep(_delay)
            out = super().translate_batch(texts, decoding)
            if _progress:
                with open(_progress, "a", encoding="utf-8") as f:
                    f.write(f"{len(texts)}\n")
            return out

    _fake = _SlowFake()
    pipeline.loaders.load_translator = lambda *args, **kwargs: _fake
    pipeline.models.describe_model = lambda *args, **kwargs: _fake

    _pause_at = int(os.environ.get("BRIEF_TEST_PAUSE_AT_REPLACE", "0"))
    if _pause_at:
        _replace = os.replace
        _calls = [0]

        def _pausing_replace(src, dst, *args, **kwargs):
            _calls[0] += 1
            if _calls[0] == _pause_at:
                with open(_progress + ".paused", "w", encoding="utf-8") as f:
                    f.write(str(dst))
                time.sleep(3600)
            return _replace(src, dst, *args, **kwargs)

        os.replace = _pausing_replace
