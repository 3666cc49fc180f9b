"""Language-model backends behind one small interface (see ``backend.py``).

``make_backend(config)`` (in ``factory.py``) builds the right one; ``FakeBackend``
answers deterministically without a network. Importing this package does not
import ``ollama``: only ``ollama_backend.py`` does, when an Ollama host is used.
"""
