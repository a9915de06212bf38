"""Connecting a receiver to a plug-in signal for the length of a test."""

from contextlib import contextmanager


@contextmanager
def connected(signal, receiver):
    """`receiver(**kwargs)` answers `signal` inside the block, and only there."""

    def adapter(sender, signal=None, **kwargs):
        return receiver(**kwargs)

    signal.connect(adapter, weak=False, dispatch_uid=f"test-{id(adapter)}")
    try:
        yield
    finally:
        signal.disconnect(dispatch_uid=f"test-{id(adapter)}")


@contextmanager
def disconnected(signal, receiver, dispatch_uid):
    """The app's own `receiver` (connected with `dispatch_uid`) is silent inside the
    block: a test of the plug-in mechanism itself answers with its own receivers."""
    signal.disconnect(dispatch_uid=dispatch_uid)
    try:
        yield
    finally:
        signal.connect(receiver, dispatch_uid=dispatch_uid)
