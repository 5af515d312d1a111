from c import helper

if __name__ == "__main__":
    helper(1)
