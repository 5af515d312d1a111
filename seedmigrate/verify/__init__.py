"""``seedmigrate verify``: prove that a training script is deterministic and resumes exactly.

The check automates the seeder's own acceptance test. With a fixed seed it runs the
script for X epochs (experiment 1), for X/2 epochs saving a checkpoint (experiment 2),
and resumed from that checkpoint to epoch X (experiment 3); without a seed it runs
X epochs (experiment 4). Each experiment is repeated N times and the training loss of
every step is compared.

Modules, in the order data flows through them:

- :mod:`~seedmigrate.verify.runner` builds the command of every run and runs them;
- :mod:`~seedmigrate.verify.losses` reads the loss series out of a run's output;
- :mod:`~seedmigrate.verify.stats` compares the series and gives the verdict;
- :mod:`~seedmigrate.verify.report` writes ``report.json``;
- :mod:`~seedmigrate.verify.plots` draws the figures (needs matplotlib);
- :mod:`~seedmigrate.verify.command` holds the CLI arguments and the entry point.

Nothing here imports torch or TensorFlow: the training script runs in its own process.
"""

from __future__ import annotations
