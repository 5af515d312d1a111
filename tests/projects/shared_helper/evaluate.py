import common

if __name__ == "__main__":
    common.seed_all(2)
