from c import helper  # noqa: F401
