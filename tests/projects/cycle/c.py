from d import helper  # noqa: F401
