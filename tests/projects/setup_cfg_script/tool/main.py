def cli():
    return 0
