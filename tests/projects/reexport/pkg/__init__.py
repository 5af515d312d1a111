from .core import set_seed  # noqa: F401
