"""The entry script only parses and calls the library; nothing here seeds or trains,
so apply finds no place for seeder.init, and must not reseed the library's loop."""

import argparse

import loops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    loops.fit(args.epochs)


if __name__ == "__main__":
    main()
