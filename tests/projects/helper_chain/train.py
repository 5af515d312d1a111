from tools.setup import prepare

if __name__ == "__main__":
    prepare(3)
