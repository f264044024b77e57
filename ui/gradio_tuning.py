"""Two of Gradio's per-event costs that this app does not need, removed (measured with py-spy on
`datalessen bench serve`, 20 sessions, only threads holding the GIL: the server runs on one core).

- After every event the queue rebuilds a pandas summary of up to 10,000 past events for its
  monitoring page (~4% of the server's time, growing with the events kept). The app never shows that
  page: the summary is built no more, and few events are kept.
- Every component update and every new session asks `inspect.signature` of each component class's
  `__init__` again (~10%: a new session builds the config of every component of the app). A
  signature does not change while the process runs, so it is asked once per function.

Both are applied by `tune(demo)` after `demo.queue()`; when a Gradio version lacks what is changed
here, it is left as it is.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types

KEPT_EVENTS = 100  # the queue's per-event records (it reads back only those still running)


def tune(demo) -> list[str]:
    """Apply both; returns what was applied (a Gradio upgrade that renames these shows up in the tests)."""
    applied = []
    queue = getattr(demo, "_queue", None)
    if queue is not None and hasattr(queue, "ANAYLTICS_CACHE_FREQUENCY") and hasattr(queue, "ANALYTICS_MAX_EVENTS"):
        queue.ANAYLTICS_CACHE_FREQUENCY = sys.maxsize  # the summary is rebuilt after this many events
        queue.ANALYTICS_MAX_EVENTS = KEPT_EVENTS
        applied.append("no event summary")
    if cache_signatures():
        applied.append("signatures remembered")
    return applied


class _CachingInspect(types.ModuleType):
    """`inspect` as Gradio's modules see it: the same, with `signature` and `getfullargspec` remembered."""

    def __getattr__(self, name):
        return getattr(inspect, name)


def _remembered(ask):
    cached = functools.lru_cache(maxsize=4096)(ask)

    @functools.wraps(ask)
    def lookup(fn, *args, **kwargs):
        if args or kwargs:
            return ask(fn, *args, **kwargs)
        try:
            return cached(fn)
        except TypeError:  # an unhashable callable
            return ask(fn)

    return lookup


_PROXY = _CachingInspect("inspect")
_PROXY.signature = _remembered(inspect.signature)
_PROXY.getfullargspec = _remembered(inspect.getfullargspec)


def cache_signatures() -> bool:
    """Give Gradio's blocks and component modules the remembering `inspect` (idempotent); True when both have it."""
    modules = [sys.modules.get(name) for name in ("gradio.blocks", "gradio.component_meta")]
    for module in modules:
        if module is not None and getattr(module, "inspect", None) is inspect:
            module.inspect = _PROXY
    return all(module is not None and module.inspect is _PROXY for module in modules)
