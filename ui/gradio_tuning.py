"""Four of Gradio's per-event costs that this app does not need, removed (measured with py-spy on
`datalessen bench serve`, 20 sessions, only threads holding the GIL: the server runs on one core).

- After every event the queue rebuilds a pandas summary of up to 10,000 past events for its
  monitoring page (~4% of the server's time, growing with the events kept). The app never shows that
  page: the summary is built no more, and few events are kept.
- Every component update and every new session asks `inspect.signature` of each component class's
  `__init__` again (~10%: a new session builds the config of every component of the app). A
  signature does not change while the process runs, so it is asked once per function.
- Each session keeps a copy of every component's config, read only when a browser asks for a deep link
  (a button this app does not have), yet built for every component when a session begins and again for
  every output of every event (~7%). Now each is built when it is read (`_SessionConfigs`).
- Every input and output value of an event is handed to a worker thread for its component's `preprocess`
  or `postprocess` and back (~5%: ten thread hops per answer, each waiting for the GIL). For the components
  whose processing is a few dictionary and string operations (`IN_PLACE`) it now runs where it is asked;
  the event's own function still runs in a worker thread.

All are applied by `tune(demo)` after `demo.queue()`; when a Gradio version lacks what is changed
here, it is left as it is.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
import types

import anyio

KEPT_EVENTS = 100  # the queue's per-event records (it reads back only those still running)


def tune(demo) -> list[str]:
    """Apply them all; returns what was applied (a Gradio upgrade that renames these shows up in the tests)."""
    applied = []
    queue = getattr(demo, "_queue", None)
    if queue is not None and hasattr(queue, "ANAYLTICS_CACHE_FREQUENCY") and hasattr(queue, "ANALYTICS_MAX_EVENTS"):
        queue.ANAYLTICS_CACHE_FREQUENCY = sys.maxsize  # the summary is rebuilt after this many events
        queue.ANALYTICS_MAX_EVENTS = KEPT_EVENTS
        applied.append("no event summary")
    if cache_signatures():
        applied.append("signatures remembered")
    if build_session_configs_on_read():
        applied.append("session configs on read")
    if process_values_in_place():
        applied.append("values processed in place")
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


# -- a session's copy of the components' configs, built when read ----------------------------------------

_DEFERRING = contextvars.ContextVar("datalessen_defer_session_configs", default=False)
_SESSION_METHODS = ("__init__", "__setitem__", "_update_config", "_update_value_in_config")


class _Later:
    """A config `config_for_block` would have built, with the value Gradio then sets in its props."""

    __slots__ = ("build", "args", "value", "valued")

    def __init__(self, build, args):
        self.build, self.args, self.value, self.valued = build, args, None, False

    # what `SessionState._update_value_in_config` does to a config: `"props" in c`, `c["props"]["value"] = v`
    def __contains__(self, key) -> bool:
        return key == "props"

    def __getitem__(self, key):
        if key != "props":
            raise KeyError(key)
        return self

    def __setitem__(self, key, value) -> None:
        if key != "value":
            raise KeyError(key)
        self.value, self.valued = value, True

    def built(self) -> dict:
        config = self.build(*self.args)
        if self.valued and "props" in config:
            config["props"]["value"] = self.value
        return config


class _SessionConfigs(dict):
    """`SessionState.config_values`: what Gradio reads gets built configs; its own bookkeeping, the deferred ones."""

    def __getitem__(self, key):
        config = dict.__getitem__(self, key)
        if isinstance(config, _Later) and not _DEFERRING.get():
            config = config.built()
            dict.__setitem__(self, key, config)
        return config

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(key, self[key]) for key in list(self.keys())]

    def values(self):
        return [self[key] for key in list(self.keys())]


def _deferring(method):
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        token = _DEFERRING.set(True)
        try:
            return method(self, *args, **kwargs)
        finally:
            _DEFERRING.reset(token)
            if not isinstance(self.__dict__.get("config_values"), _SessionConfigs):
                self.config_values = _SessionConfigs(self.config_values)

    run.datalessen_deferring = True
    return run


def _deferrable(build):
    @functools.wraps(build)
    def config_for_block(*args):
        return _Later(build, args) if _DEFERRING.get() else build(*args)

    config_for_block.datalessen_deferrable = True
    return config_for_block


def build_session_configs_on_read() -> bool:
    """Patch Gradio's `SessionState` and `BlocksConfig.config_for_block` (idempotent); True when applied."""
    try:
        from gradio.blocks import BlocksConfig
        from gradio.state_holder import SessionState
    except ImportError:
        return False
    build = BlocksConfig.__dict__.get("config_for_block")
    methods = [SessionState.__dict__.get(name) for name in _SESSION_METHODS]
    reader = getattr(SessionState.__dict__.get("components"), "fget", None)  # the one reader, the deep link's
    if not isinstance(build, staticmethod) or not all(callable(m) for m in methods):
        return False
    if reader is None or "config_values" not in reader.__code__.co_names:
        return False
    if not getattr(build.__func__, "datalessen_deferrable", False):
        BlocksConfig.config_for_block = staticmethod(_deferrable(build.__func__))
    for name, method in zip(_SESSION_METHODS, methods):
        if not getattr(method, "datalessen_deferring", False):
            setattr(SessionState, name, _deferring(method))
    return True


# -- a component's own processing of a value, where it is asked ------------------------------------------

# Gradio's components whose `preprocess` and `postprocess` only reshape the value (no files, no network)
IN_PLACE = ("Textbox", "HTML", "Markdown", "Button", "Radio", "Dropdown", "Chatbot", "Number", "Checkbox")


class _InPlaceToThread(types.ModuleType):
    """`anyio.to_thread` as `gradio.blocks` sees it: a listed component's processing runs in place."""

    def __init__(self, classes: tuple[type, ...]):
        super().__init__("anyio.to_thread")
        self.classes = classes

    def __getattr__(self, name):
        return getattr(anyio.to_thread, name)

    async def run_sync(self, func, *args, **kwargs):
        processing = getattr(func, "__name__", "") in ("preprocess", "postprocess")
        if processing and type(getattr(func, "__self__", None)) in self.classes:
            return func(*args)
        return await anyio.to_thread.run_sync(func, *args, **kwargs)


class _AnyioForBlocks(types.ModuleType):
    def __init__(self, to_thread: _InPlaceToThread):
        super().__init__("anyio")
        self.to_thread = to_thread

    def __getattr__(self, name):
        return getattr(anyio, name)


def process_values_in_place() -> bool:
    """Give `gradio.blocks` the `anyio` that processes the listed components' values in place (idempotent)."""
    try:
        import gradio.blocks
        import gradio.components
    except ImportError:
        return False
    if isinstance(gradio.blocks.__dict__.get("anyio"), _AnyioForBlocks):
        return True
    if gradio.blocks.__dict__.get("anyio") is not anyio:
        return False
    classes = tuple(getattr(gradio.components, name) for name in IN_PLACE if hasattr(gradio.components, name))
    gradio.blocks.anyio = _AnyioForBlocks(_InPlaceToThread(classes))
    return True
