import mylib.seeding
import mylib.seeding as ms


def main():
    mylib.seeding.set_seed(1)
    ms.set_seed(2)


if __name__ == "__main__":
    main()
