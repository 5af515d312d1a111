def run():
    return None
