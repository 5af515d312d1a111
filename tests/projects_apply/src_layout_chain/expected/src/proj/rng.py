def seed_all(seed):
    """Two levels down: seed_all -> _seed_torch."""
