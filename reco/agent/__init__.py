"""reco-agent: the program a machine on the bench runs from a live USB stick to describe itself, wipe its drives
and report to Reco. Python standard library only, imports relative only: it also runs as a zipapp (make agent)."""
VERSION = "1.0"
