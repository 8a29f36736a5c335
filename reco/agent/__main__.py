"""Run the agent: python3 -m reco.agent (in the project) or python3 reco-agent.pyz (on the stick)."""
import sys

from .cli import main

sys.exit(main())
