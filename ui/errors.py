"""Every failure in the app reaches the user as one Dutch line, never as "[Errno 111] Connection refused".

Gradio shows an exception's own text when a handler raises; for a store or disk failure that is
a message from deep inside httpx, Chroma or SQLite. `guard_handlers` wraps every event handler of
a built app once: `gr.Error` (the tabs' own messages) passes unchanged, anything else becomes
`gr.Error` with the line from `assistant.failures`, and its traceback goes to the server's log.
"""

from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr

from assistant.failures import explain, unexpected

log = logging.getLogger("datalessen.app")


def _speak(exc: Exception, settings) -> gr.Error:
    if isinstance(exc, gr.Error):
        return exc
    log.error("handler failed", exc_info=exc)
    return gr.Error(explain(exc, settings) or unexpected(exc, "zie het logboek van de server"))


def guarded(fn, settings):
    """`fn` with its failures said in Dutch; of the same kind (function, generator, async), as gradio inspects it."""
    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            try:
                async for item in fn(*args, **kwargs):
                    yield item
            except Exception as exc:
                raise _speak(exc, settings) from exc

    elif inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise _speak(exc, settings) from exc

    elif inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                raise _speak(exc, settings) from exc

    else:

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                raise _speak(exc, settings) from exc

    return wrapper


def guard_handlers(demo: gr.Blocks, settings) -> None:
    """Wrap every Python handler of `demo` (after it is built, before it is launched)."""
    for block_fn in demo.fns.values():
        if block_fn.fn is not None and not getattr(block_fn.fn, "_datalessen_guarded", False):
            block_fn.fn = guarded(block_fn.fn, settings)
            block_fn.fn._datalessen_guarded = True
