from common import seed_all


def main():
    seed_all(1)


if __name__ == "__main__":
    main()
