from .rng import seed_all

__all__ = ["seed_all"]
