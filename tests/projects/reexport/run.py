from pkg import set_seed

set_seed(0)
