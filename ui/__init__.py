"""The web app and the command line: they call the library (`assistant`), `ingest` and `evals`.

Phoning home is switched off before anything below can import Gradio or Chroma.
"""

from assistant.settings import quiet_offline_environment

quiet_offline_environment()
