from .seeding import set_seed as set_seed
