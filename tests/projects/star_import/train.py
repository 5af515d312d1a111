from helpers import *  # noqa: F403
from timm.utils import *  # noqa: F403

seed_torch(1)  # noqa: F405
random_seed(1, 0)  # noqa: F405
_private_seed(2)  # noqa: F405
