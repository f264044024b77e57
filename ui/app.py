"""The datalessen web app (Gradio): a thin shell around `assistant.api.Assistant`.

    from ui.app import build_app, launch
    demo = build_app(assistant)            # a gr.Blocks, not started
    launch(assistant, AppSettings.load())  # host, port, login, queue and upload limit from the app settings

Tabs, one module each: Chat (`chat_tab`: streaming answers, sources panel, filters,
feedback, export), Lessen (`lessons_tab`: a theme across all cases, handout), Bronnen
(`sources_tab`: documents, what is unknown, read, upload), Evaluatie (`evaluation_tab`:
latest report, feedback). Every handler has an explicit `api_name`, so `gradio_client`
calls stay stable. No retrieval or answering logic lives here: the tabs call the
`Assistant` facade only, and all text from documents is escaped in `ui.render`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from assistant.profile import load_profile
from ui import chat_tab, evaluation_tab, lessons_tab, sources_tab
from ui.access import LoginGuard, LoginThrottle, UploadRouteGuard, parse_auth
from ui.context import AppContext
from ui.conversations import ConversationStore
from ui.database import Database
from ui.errors import guard_handlers
from ui.eval_report import DEFAULT_REPORT_DIR
from ui.feedback import FeedbackStore
from ui.gradio_tuning import tune
from ui.settings import AppSettings
from ui.style import CSS, HEAD, i18n, theme

QUEUE_STATUS_SECONDS = 1.0  # how often waiting browsers hear their place in the queue (`queued`)
# how long a thread holding the GIL runs before another may take it, in a serving process (Python's default
# 5 ms): answers in worker threads held the event loop, which streams every browser's messages, for up to a
# slice each; at 1 ms the slowest drive's p95 at 20 sessions x 5 fell from 456-565 to 362-449 ms (docs/benchmarks.md)
GIL_SWITCH_SECONDS = 0.001

INTRO = (
    "## datalessen\n"
    "Vragen over het rapport *Datagedreven innovatie in gemeenten (2021): de lessen van 18 dataprojecten* "
    "(A&O fonds Gemeenten) en de cases. Elk antwoord bestaat uit letterlijke citaten met bronnummers [n]; "
    "staat iets niet in de bronnen, dan zegt de assistent dat. Alles draait op deze computer."
)


def build_app(assistant, app: AppSettings | None = None, *, report_dir: Path | str | None = None) -> gr.Blocks:
    """The whole app for one assistant; `report_dir` is the evaluation report shown (default: the shipped one)."""
    app = app or AppSettings()
    database = Database.for_settings(assistant.settings, app)
    ctx = AppContext(
        assistant=assistant,
        app=app,
        feedback=FeedbackStore.for_settings(assistant.settings, app, database),
        report_dir=Path(report_dir) if report_dir is not None else DEFAULT_REPORT_DIR,
        conversations=ConversationStore(database),
    )
    with gr.Blocks(title="datalessen", delete_cache=app.temp_file_schedule()) as demo:
        sidebar = chat_tab.build_sidebar()
        gr.Markdown(INTRO)
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone every tab stays in sight, none behind a menu
            # the corpus profile's examples: questions its documents answer (an example that ends in "niet
            # gevonden" teaches a new user that the tool does not work; tests/test_ui_chat_browser.py asks each)
            chat = chat_tab.build(ctx, load_profile(assistant.settings).examples, demo, sidebar)
            lessons_tab.build(ctx)
            sources_tab.build(ctx, chat, demo)
            evaluation_tab.build(ctx)
    guard_handlers(demo, assistant.settings)  # a failure is one Dutch line, not "[Errno 111] ..."
    return demo


def launch_kwargs(app: AppSettings) -> dict:
    """What `launch` passes to Gradio, from the app settings alone (tests start the app with these too)."""
    auth = parse_auth(app.auth)
    mb = float(app.max_upload_mb)
    upload_limit = f"{int(mb)}mb" if mb.is_integer() else f"{int(mb * 1000)}kb"
    return {
        "server_name": app.host,
        "server_port": int(app.port),
        "auth": LoginGuard(auth).check if auth else None,  # slows down guessing (ui/access.py)
        # raw uploads for admins only; an address that keeps failing to log in waits (ui/access.py)
        "app_kwargs": {"middleware": [Middleware(UploadRouteGuard, settings=app), Middleware(LoginThrottle)]},
        "auth_message": "Log in om datalessen te gebruiken." if auth else None,
        "share": False,
        "max_file_size": upload_limit,
        "theme": theme(),
        "css": CSS,
        "head": HEAD,
        "i18n": i18n(),
        "footer_links": ["api", "settings"],
        "enable_monitoring": False,
        "ssr_mode": False,
        "mcp_server": False,
        "run_history": False,
        "show_error": True,
    }


def queued(demo: gr.Blocks, app: AppSettings) -> gr.Blocks:
    """The queue as the app serves with it: `concurrency` answers at once, Gradio's unused per-event work off."""
    # queue places and waits go to the waiting browsers once a second, not to all of them after every
    # event that starts (Gradio's "auto"): measured 50 sessions x 5 on one process 50-57 -> 62-66 q/s
    demo.queue(default_concurrency_limit=int(app.concurrency), status_update_rate=QUEUE_STATUS_SECONDS)
    tune(demo)
    return demo


def launch(assistant, app: AppSettings, **overrides):
    """Start the app and block (the `datalessen serve` command)."""
    demo = queued(build_app(assistant, app), app)
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    return demo.launch(**{**launch_kwargs(app), **overrides})
