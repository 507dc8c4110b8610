from tuireader.launch import run

raise SystemExit(run())
