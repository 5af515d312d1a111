from tools.seeding import fix_everything


def prepare(value):
    """Everything a run needs before it starts."""
    fix_everything(value)
