"""``python -m seedmigrate`` entry point."""

from seedmigrate.cli import main

raise SystemExit(main())
