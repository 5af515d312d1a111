from cs.engine import Trainer


def main():
    trainer = Trainer()
    trainer.fit(3)
