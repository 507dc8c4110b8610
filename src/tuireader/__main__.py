import gc

# The collector stays off while the app starts (its passes over the objects the imports
# and the first layout make cost more than one pass afterwards): ``cli.main`` turns it on
# at once for every command but the app, which does after its first paint.
gc.disable()

from tuireader.cli import main  # noqa: E402

raise SystemExit(main())
