"""Code that runs inside the sandbox process.

Standard library only, and relative imports only: the server imports ``policy`` as part of the
``agenta`` package, while the sandbox process, started with ``python -I -S`` (no site-packages),
imports this directory as a top-level package named ``child``.
"""
