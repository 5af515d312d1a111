class Trainer:
    def fit(self, epochs):
        for epoch in range(epochs):
            self.train_one_epoch(epoch)

    def train_one_epoch(self, epoch):
        return epoch


def unused_loop(epochs):
    for epoch in range(epochs):
        print(epoch)
